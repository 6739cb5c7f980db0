/**
 * The Azure twin's reading of a synthesized stack (twins/azure/terraform-stack.ts)
 * on real syntheses (fake bundles): Consumption (coldstart) and Flex Consumption
 * (update-consistency). Every reference is resolved as `terraform apply` would
 * give it, the driver's settings point at the apps the stack creates with their
 * keys, each app finds the package the stack uploads for it; and an artifact
 * the twin does not model is refused with one line naming it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readAzureStack } from '../../../twins/azure/terraform-stack';
import { type Synthesis, synthesize } from '../../stacks/cdktf/synth-fixture';

let consumption: Synthesis;
let flex: Synthesis;

beforeAll(() => {
  consumption = synthesize({ CURTAIN_STUDY: 'coldstart', CURTAIN_PROVIDERS: 'azure' });
  flex = synthesize({ CURTAIN_STUDY: 'update-consistency', CURTAIN_PROVIDERS: 'azure', CURTAIN_AZURE_HOSTING: 'flex' });
});

afterAll(() => {
  consumption.cleanup();
  flex.cleanup();
});

const fileOf = (s: Synthesis, name: string) => path.join(s.stacks.get(name)!.dir, 'cdk.tf.json');

describe('readAzureStack', () => {
  it.each([
    ['consumption', () => fileOf(consumption, 'azure-coldstart')],
    ['flex', () => fileOf(flex, 'azure-update-consistency')],
  ])('resolves every reference of the %s stack and wires the driver to the apps it creates', (hosting, file) => {
    const stack = readAzureStack(file());
    expect(JSON.stringify(stack)).not.toContain('${');
    const driver = stack.apps.find((a) => a.appSettings.CURTAIN_TARGETS !== undefined)!;
    const probes = stack.apps.filter((a) => a !== driver);
    expect(probes.length).toBeGreaterThan(0);
    expect(new Set(stack.apps.map((a) => a.hosting))).toEqual(new Set([hosting]));
    for (const app of stack.apps) expect(existsSync(app.packageZip)).toBe(true);
    const targets = JSON.parse(driver.appSettings.CURTAIN_TARGETS!) as Record<string, string>;
    const keys = JSON.parse(driver.appSettings.CURTAIN_FUNCTION_KEYS!) as Record<string, string>;
    for (const probe of probes) {
      const key = probe.appSettings.CURTAIN_FUNCTION!;
      expect(targets[key]).toBe(`https://${probe.hostname}/api/probe`);
      expect(keys[key]).toBe(probe.defaultFunctionKey);
    }
    // The driver may write the results container its settings name, and nothing grants a probe anything.
    const results = stack.storageAccounts.find((a) => a.name === driver.appSettings.CURTAIN_STORAGE_ACCOUNT)!;
    expect(results.containers).toContain(driver.appSettings.CURTAIN_BUCKET);
    expect(stack.assignments.some((a) => a.principalId === driver.principalId && a.scope === `${results.id}/blobServices/default/containers/${driver.appSettings.CURTAIN_BUCKET}`)).toBe(true);
    if (hosting === 'flex') {
      expect(probes.every((p) => Object.keys(p.userIdentities).length === 1 && p.principalId === null)).toBe(true);
      expect(probes.every((p) => p.packageZip !== driver.packageZip)).toBe(true);
    }
  });

  it('refuses a resource type it does not model, naming the resource', () => {
    const file = fileOf(consumption, 'azure-coldstart');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.resource.azurerm_key_vault = { vault: { name: 'kv' } };
    const broken = path.join(path.dirname(file), 'broken.tf.json');
    writeFileSync(broken, JSON.stringify(json));
    expect(() => readAzureStack(broken)).toThrow('curtain run --target azure: azurerm_key_vault.vault: resource type azurerm_key_vault is not modelled by the Azure twin');
  });

  it('refuses an expression it cannot evaluate, naming the resource and the function', () => {
    const file = fileOf(consumption, 'azure-coldstart');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const [name] = Object.keys(json.resource.azurerm_resource_group);
    json.resource.azurerm_resource_group[name].name = '${upper("curtain")}';
    const broken = path.join(path.dirname(file), 'broken-fn.tf.json');
    writeFileSync(broken, JSON.stringify(json));
    expect(() => readAzureStack(broken)).toThrow(/azurerm_resource_group\.group\.name: function upper\(\) is not modelled by the twin/);
  });
});
