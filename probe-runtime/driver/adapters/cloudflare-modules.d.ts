/**
 * The modules the Workers runtime provides to the Cloudflare driver (bundle
 * driver-cloudflare): `cloudflare:workers` and the two text modules the stack
 * uploads beside the bundle. Declared here because @cloudflare/workers-types
 * is not a dependency; only what the driver uses.
 */
declare module 'cloudflare:workers' {
  export abstract class WorkflowEntrypoint<Env = unknown, Params = unknown> {
    protected readonly ctx: unknown;
    protected readonly env: Env;
    constructor(ctx: unknown, env: Env);
    abstract run(event: { readonly payload: Params; readonly instanceId: string }, step: unknown): Promise<unknown>;
  }
}
/** Text modules (`text/plain` Worker modules): their default export is the text. */
declare module '*.txt' {
  const text: string;
  export default text;
}
