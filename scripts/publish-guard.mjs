// Each package's prepublishOnly: only pnpm may publish, because `npm publish` (like `npm pack`)
// leaves `workspace:^` ranges in package.json and the published package cannot be installed.
const agent = process.env.npm_config_user_agent ?? '';
if (!agent.startsWith('pnpm/')) {
  console.error(
    'Publish with pnpm: run `pnpm release` at the repository root (changeset publish, through pnpm publish).\n' +
      `This is ${agent.split(' ')[0] || 'not pnpm'}: it does not rewrite workspace: ranges, so what it publishes may not install.`,
  );
  process.exit(1);
}
