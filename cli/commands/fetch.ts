import path from 'node:path';
import { z } from 'zod';
import type { Command } from '../command';
import { parseCommandArgs, requirePositional, validateOptions } from '../options';
import { listIds } from '../../probe-runtime/contracts/providers';
import { pathOption, studyIdArgument } from '../study-options';
import { CLOUD_OPTION_SPEC, CLOUD_PROVIDER_USAGE, CLOUD_PROVIDERS, CloudOptions, providerClient } from './cloud-options';

const usage = `Usage: curtain fetch <study> --provider ${CLOUD_PROVIDER_USAGE} [--run ID] [--out DIR] [options]

Downloads a run's results from the study's bucket into DIR in the bucket layout
(<study>/<run>/plan.json, run.json, steps/<step>/<shard>.jsonl), ready for \`curtain report\`.
  --provider P          ${listIds(CLOUD_PROVIDERS)} (required)
  --run ID              the run to fetch (default: the newest)
  --out DIR             destination (default: ./curtain-results)
  --region R            region of the deployment
  --bucket NAME         bucket/container, when not read from the deployment's outputs
  --endpoint URL        storage endpoint override (an S3-compatible server, azurite)
  --stack NAME          deployment name, when not the default for the study
  --project ID          Google Cloud project
  --resource-group RG   Azure resource group;  --account NAME  Azure storage account
  --json                print {run, dir, files, bytes} as JSON`;

export const fetchCommand: Command = {
  name: 'fetch',
  summary: 'download a cloud run\'s results in the bucket layout',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('fetch', args, { ...CLOUD_OPTION_SPEC, out: { type: 'string' } }, usage);
    const { study } = validateOptions('fetch', studyIdArgument, { study: requirePositional('fetch', positionals, 'study', usage) });
    const o = validateOptions('fetch', CloudOptions.and(z.object({ out: pathOption.default('curtain-results') })), values);
    const result = await providerClient(o.provider).fetch(
      {
        study,
        region: o.region,
        run: o.run,
        out: path.resolve(io.cwd, o.out),
        stack: o.stack,
        bucket: o.bucket,
        endpoint: o.endpoint,
        project: o.project,
        resourceGroup: o['resource-group'],
        account: o.account,
      },
      io,
    );
    io.out(o.json ? JSON.stringify(result, null, 2) : `fetched run ${result.run}: ${result.files} files, ${result.bytes} bytes into ${result.dir}\nthen: npx curtain report ${path.join(result.dir)}`);
    return 0;
  },
};
