/**
 * Files the Python probe needs on Azure beside the probe-python bundle: the
 * v2-model entry function_app.py (stacks/azure/python/, an adapter to the
 * bundle's main.probe) and an empty requirements list (the worker provides
 * azure-functions; the probe uses only the standard library).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function pythonProbeFiles(): Record<string, string> {
  return {
    'function_app.py': readFileSync(path.join(__dirname, 'python', 'function_app.py'), 'utf8'),
    'requirements.txt': '# the Curtain probe uses the Python standard library only\n',
  };
}
