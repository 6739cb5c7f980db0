/**
 * Every figure's title names what was measured: the platform and region of a
 * cloud run, or, for a run on the local platform, that it was emulated and with
 * which profile. A figure copied out of its report must not pass for a cloud
 * measurement.
 */
import { type PlatformInfo, PROVIDER_NAMES } from '../run/platform';
import type { Figure } from './figure';

export function platformLabel(platform: PlatformInfo, region: string): string {
  if (platform.emulated) {
    const models = platform.modelled ? `, modelling ${PROVIDER_NAMES[platform.modelled] ?? platform.modelled}` : '';
    return `emulated: local platform, profile ${platform.profile ?? 'unknown'}${models}`;
  }
  return `${PROVIDER_NAMES[platform.provider] ?? platform.provider}, ${region}`;
}

/** The figure with the platform label as its title's subtitle. */
export function withPlatformTitle(figure: Figure, label: string): Figure {
  const spec = figure.spec as { title?: unknown };
  const text = typeof spec.title === 'string' ? spec.title : typeof spec.title === 'object' && spec.title && 'text' in spec.title ? (spec.title as { text: string }).text : figure.title;
  return { ...figure, spec: { ...figure.spec, title: { text, subtitle: label, subtitleColor: '#555', subtitleFontSize: 11 } } as Figure['spec'] };
}
