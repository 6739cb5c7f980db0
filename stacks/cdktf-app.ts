// Placeholder entry of the CDK for Terraform app (cdktf.json). Issue #5 replaces it with the real app.
console.error('curtain: the Azure and Google stacks are not implemented yet (issue #5); `npx curtain plan <study> --provider gcp|azure` shows what they will deploy.');
process.exitCode = 1;
