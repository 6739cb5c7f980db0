/**
 * The "Cloud API calls" section of report.md, only for a run an offline twin
 * made (its twin.json, probe-runtime/contracts/twin-record.ts): per identity,
 * each action it called with the calls the synthesized policies allowed and
 * denied, the denied calls' resources, and the granted actions never used
 * (candidates for a narrower policy, or grants used by the cloud service
 * itself, which the twin does not emulate: docs/twins.md).
 */
import type { TwinRecord } from '../../probe-runtime/contracts/twin-record';
import { mdTable } from '../format';
import type { Section } from '../studies/analysis';

export function twinCallsSection(twin: TwinRecord): Section {
  if (twin.templateHash === null && twin.identities.length === 0) {
    return {
      title: 'Cloud API calls (twin)',
      body: `This run was made by the ${twin.target} twin from the deployment's modules (${twin.stack}); it evaluates no permissions: the runtime it runs in has none to evaluate (docs/twins.md).`,
    };
  }
  const from = twin.templateHash === null ? "the deployment's modules" : `template \`${twin.templateHash.slice(0, 16)}…\``;
  const denied = twin.identities.reduce((n, id) => n + id.denied.length, 0);
  const lines = [
    `This run was made by the ${twin.target} twin from ${from} (stack ${twin.stack}). ` +
      `Every API call was decided against the synthesized policies: ${denied === 0 ? 'none was denied' : `**${denied} denied**`}.`,
    '',
    mdTable(
      ['identity', 'action', 'allowed', 'denied'],
      twin.identities.flatMap((id) => (id.actions.length === 0 ? [[id.identity, '(no calls)', 0, 0]] : id.actions.map((a) => [id.identity, `\`${a.action}\``, a.allowed, a.denied]))),
    ),
    '',
  ];
  const deniedRows = twin.identities.flatMap((id) => id.denied.map((d) => [id.identity, `\`${d.action}\``, `\`${d.resource}\``]));
  if (deniedRows.length > 0) lines.push('Denied calls:', '', mdTable(['identity', 'action', 'resource'], deniedRows), '');
  lines.push(
    'Granted, never used in this run:',
    '',
    mdTable(
      ['identity', 'principal', 'actions'],
      twin.identities.map((id) => [id.identity, id.principal.split('/').pop() ?? id.principal, id.unusedGrants.length === 0 ? '(none)' : id.unusedGrants.map((a) => `\`${a}\``).join(', ')]),
    ),
  );
  return { title: 'Cloud API calls (twin)', body: lines.join('\n') };
}
