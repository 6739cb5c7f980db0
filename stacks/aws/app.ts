// Placeholder entry of the AWS CDK app (cdk.json). Issue #4 replaces it with the real app.
console.error('curtain: the AWS stacks are not implemented yet (issue #4); `npx curtain plan <study> --provider aws` shows what they will deploy.');
process.exitCode = 1;
