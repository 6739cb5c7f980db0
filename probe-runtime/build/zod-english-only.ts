/**
 * An esbuild plugin that keeps only zod's English messages in a bundle.
 *
 * zod's classic entry re-exports every locale (`z.locales`, ~60 languages), and
 * esbuild cannot drop a namespace re-export, so each bundle that validates with
 * zod carried ~250 KB of messages nobody reads: Curtain never calls
 * `z.config(z.locales.xx())`, and English stays zod's default (registered by
 * its schemas module, not by this index). Dropping them halves driver-local
 * (489 KB → 228 KB), which the local platform starts once per driver call.
 */
import path from 'node:path';
import type { Plugin } from 'esbuild';

export const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};
