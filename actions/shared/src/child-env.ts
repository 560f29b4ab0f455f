// The environment a user's command runs in (a rollback command, a probe command). The runner hands
// every input of this step to it as INPUT_* variables, the signing key and the token among them, and
// the artefact service's token as ACTIONS_RUNTIME_TOKEN; the user's command is given none of those.
// It keeps everything else, the variables the workflow set with `env:` included.
const WITHHELD =
  /^(INPUT_|STATE_)|^ACTIONS_(RUNTIME_TOKEN|RESULTS_URL|ID_TOKEN_REQUEST_TOKEN|ID_TOKEN_REQUEST_URL|CACHE_URL)$/i;

export function childEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!WITHHELD.test(name)) out[name] = value;
  return out;
}
