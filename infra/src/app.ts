import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { VALIDATE_AGAINST_DEFAULT_RULES } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EXAMPLE_STACK_NAME, readAppConfig } from './app-config.ts';
import { ExampleSiteStack } from './example-site-stack.ts';
import { ReconcilerStack } from './reconciler-stack.ts';

/**
 * The CDK app: the reconciler stack, and the example site stack when `-c example=true`. Every
 * synthesis runs cdk-nag's AwsSolutions checks (an unacknowledged finding fails it) and CDK's
 * built-in CloudFormation template validation with its errors failing the synthesis too.
 */
export function createApp(props: AppProps = {}): App {
  const app = new App({ ...props, context: { [VALIDATE_AGAINST_DEFAULT_RULES]: true, ...props.context } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const config = readAppConfig((key) => app.node.tryGetContext(key));
  new ReconcilerStack(app, config.stackName, config.reconciler);
  if (config.example) new ExampleSiteStack(app, EXAMPLE_STACK_NAME, config.example);
  return app;
}
