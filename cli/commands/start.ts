import { studyIdArgument } from '../study-options';
import type { Command } from '../command';
import { parseCommandArgs, requirePositional, validateOptions } from '../options';
import { CLIENT_GUIDES, CLOUD_OPTION_SPEC, CLOUD_PROVIDER_USAGE, CLOUD_PROVIDERS, CloudOptions, providerClient } from './cloud-options';
import { listIds } from '../../probe-runtime/contracts/providers';

const usage = `Usage: curtain start <study> --provider ${CLOUD_PROVIDER_USAGE} [options]

Starts a run of a deployed study: an execution of its orchestrator in the cloud. Deploy first
(${CLIENT_GUIDES}); fetch the results with \`curtain fetch\`.
  --provider P          ${listIds(CLOUD_PROVIDERS)} (required)
  --region R            region of the deployment
  --run ID              run id to use (default: a new one from the current time)
  --stack NAME          deployment name, when not the default for the study
  --project ID          Google Cloud project
  --resource-group RG   Azure resource group
  --json                print {run, execution, watch} as JSON`;

export const startCommand: Command = {
  name: 'start',
  summary: 'start a run of a study deployed on a cloud',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('start', args, CLOUD_OPTION_SPEC, usage);
    const { study } = validateOptions('start', studyIdArgument, { study: requirePositional('start', positionals, 'study', usage) });
    const o = validateOptions('start', CloudOptions, values);
    const result = await providerClient(o.provider).start(
      { study, region: o.region, run: o.run, stack: o.stack, bucket: o.bucket, endpoint: o.endpoint, project: o.project, resourceGroup: o['resource-group'], account: o.account },
      io,
    );
    io.out(o.json ? JSON.stringify(result, null, 2) : `started run ${result.run} (${result.execution})\nwatch: ${result.watch}\nthen: npx curtain fetch ${study} --provider ${o.provider} --run ${result.run}`);
    return 0;
  },
};
