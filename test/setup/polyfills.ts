// Promise.withResolvers for aws-local-stepfunctions on Node 20: the product's polyfill (the AWS twin needs it too).
import '../../twins/aws/with-resolvers';
