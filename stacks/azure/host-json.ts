/** host.json of a Function App package. */

/**
 * The function timeout leaves the function its own timeout plus a margin,
 * within the hosting plan's maximum; the driver's app also names its Durable
 * task hub.
 */
export function hostJson(options: { functionTimeout: number; maxSeconds: number; durableHub?: string }): string {
  const seconds = Math.min(options.functionTimeout + 30, options.maxSeconds);
  const hh = String(Math.floor(seconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return `${JSON.stringify(
    {
      version: '2.0',
      functionTimeout: `${hh}:${mm}:${ss}`,
      extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
      ...(options.durableHub ? { extensions: { durableTask: { hubName: options.durableHub } } } : {}),
    },
    null,
    2,
  )}\n`;
}
