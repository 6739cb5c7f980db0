/**
 * Terraform template evaluation as the Azure twin does it (twins/azure/terraform-expr.ts),
 * on the expression forms cdktf writes into the Azure stacks, with results
 * Terraform gives them (developer.hashicorp.com/terraform/language/expressions/strings
 * and .../functions/{jsonencode,substr,sha256,join}, read 2026-12-06).
 */
import { createHash } from 'node:crypto';
import { evaluateTemplate, type ReferencePath, TerraformExpressionError } from '../../../twins/azure/terraform-expr';

const values: Record<string, unknown> = {
  'var.azure_subscription_id': 'sub-1',
  'azurerm_linux_function_app.p.default_hostname': 'p.azurewebsites.net',
  'azurerm_linux_function_app.d.identity.0.principal_id': 'guid-1',
  'data.azurerm_function_app_host_keys.k.default_function_key': 'key-1',
};
const scope = {
  dir: '/',
  reference: (path: ReferencePath) => {
    const key = path.join('.');
    if (!(key in values)) throw new Error(`unknown ${key}`);
    return values[key];
  },
};

describe('evaluateTemplate', () => {
  it('evaluates the name suffix expression as Terraform does', () => {
    const suffix = createHash('sha256').update('sub-1/coldstart').digest('hex').slice(0, 8);
    expect(evaluateTemplate('coldstart-driver-${substr(sha256(join("", [var.azure_subscription_id, "/coldstart"])), 0, 8)}', scope)).toBe(`coldstart-driver-${suffix}`);
  });

  it('encodes an object of references and nested templates with jsonencode, and keeps a lone reference\'s value', () => {
    expect(
      evaluateTemplate('${jsonencode({"a" = "https://${azurerm_linux_function_app.p.default_hostname}/api/probe", "b" = data.azurerm_function_app_host_keys.k.default_function_key})}', scope),
    ).toBe('{"a":"https://p.azurewebsites.net/api/probe","b":"key-1"}');
    expect(evaluateTemplate('${azurerm_linux_function_app.d.identity[0].principal_id}', scope)).toBe('guid-1');
    expect(evaluateTemplate('plain text, no template', scope)).toBe('plain text, no template');
  });

  it('refuses what it does not model, quoting the expression', () => {
    expect(() => evaluateTemplate('${var.azure_subscription_id == "x" ? 1 : 2}', scope)).toThrow(TerraformExpressionError);
    expect(() => evaluateTemplate('${upper("a")}', scope)).toThrow(/function upper\(\) is not modelled by the twin at offset \d+ of "\$\{upper\("a"\)\}"/);
  });
});
