// Workflow artefacts over REST, as `findBy` in @actions/artifact and the GitHub UI's API see them:
// lists (newest first, `name` filter, paging), one artefact, its zip (302 to a signed blob URL that
// needs no token) and deletion.
import { HttpError, errorBody, notFound } from '../errors.js';
import { signedBlobUrl } from '../artifacts/blob.js';
import { paginate } from '../pagination.js';
import { intParam, requireRepo, type Route, type RouteContext } from '../router.js';
import { nodeId, repoApi, type Json, type View } from '../shapes.js';
import type { FakeArtifact, FakeRepo } from '../state.js';

const DOCS_LIST = 'https://docs.github.com/rest/actions/artifacts#list-artifacts-for-a-repository';
const DOCS_RUN = 'https://docs.github.com/rest/actions/artifacts#list-workflow-run-artifacts';
const DOCS_GET = 'https://docs.github.com/rest/actions/artifacts#get-an-artifact';
const DOCS_DOWNLOAD = 'https://docs.github.com/rest/actions/artifacts#download-an-artifact';
const DOCS_DELETE = 'https://docs.github.com/rest/actions/artifacts#delete-an-artifact';

/** GitHub's archive redirect is good for about a minute. */
const DOWNLOAD_REDIRECT_TTL_SECONDS = 60;

export const artifactRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/artifacts',
    docs: DOCS_LIST,
    handle(ctx) {
      const repo = requireRepo(ctx);
      return listReply(
        ctx,
        repo,
        finished(repo).sort((a, b) => b.id - a.id),
      );
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
    docs: DOCS_RUN,
    handle(ctx) {
      const repo = requireRepo(ctx);
      const runId = intParam(ctx, 'run_id');
      if (!repo.runs[runId]) throw notFound(DOCS_RUN);
      const ascending = ctx.query.get('direction') === 'asc';
      const list = finished(repo)
        .filter((a) => a.run_id === runId)
        .sort((a, b) => (ascending ? a.id - b.id : b.id - a.id));
      return listReply(ctx, repo, list);
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/artifacts/{artifact_id}',
    docs: DOCS_GET,
    handle(ctx) {
      const { repo, artifact } = requireArtifact(ctx);
      return { body: artifactJson(ctx, repo, artifact) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
    docs: DOCS_DOWNLOAD,
    handle(ctx) {
      const { repo, artifact } = requireArtifact(ctx);
      if (ctx.params['archive_format'] !== 'zip') throw notFound(DOCS_DOWNLOAD);
      if (ctx.state.expired(artifact)) throw new HttpError(410, errorBody(410, 'Artifact has expired', DOCS_DOWNLOAD));
      const run = repo.runs[artifact.run_id];
      if (!run || !artifact.bytes) throw notFound(DOCS_DOWNLOAD);
      const location = signedBlobUrl(ctx.state, ctx.api, run, artifact, 'r', DOWNLOAD_REDIRECT_TTL_SECONDS);
      return { status: 302, body: undefined, headers: { location } };
    },
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/actions/artifacts/{artifact_id}',
    docs: DOCS_DELETE,
    handle(ctx) {
      const { repo, artifact } = requireArtifact(ctx);
      repo.artifacts = repo.artifacts.filter((a) => a !== artifact);
      return { status: 204, body: undefined };
    },
  },
];

/** An upload still in progress is invisible, as on GitHub. */
function finished(repo: FakeRepo): FakeArtifact[] {
  return repo.artifacts.filter((a) => a.finalized);
}

function listReply(ctx: RouteContext, repo: FakeRepo, all: FakeArtifact[]): { body: Json; link: string | undefined } {
  const name = ctx.query.get('name');
  const list = name === null || name === '' ? all : all.filter((a) => a.name === name);
  const page = paginate(list, ctx.query, ctx.linkBase);
  return {
    body: { total_count: list.length, artifacts: page.items.map((a) => artifactJson(ctx, repo, a)) },
    link: page.link,
  };
}

function requireArtifact(ctx: RouteContext): { repo: FakeRepo; artifact: FakeArtifact } {
  const repo = requireRepo(ctx);
  const id = intParam(ctx, 'artifact_id');
  const artifact = finished(repo).find((a) => a.id === id);
  if (!artifact) throw notFound(ctx.docs);
  return { repo, artifact };
}

export function artifactJson(view: View, repo: FakeRepo, a: FakeArtifact): Json {
  const url = `${repoApi(view, repo)}/actions/artifacts/${a.id}`;
  const run = repo.runs[a.run_id];
  return {
    id: a.id,
    node_id: nodeId('Artifact', a.id),
    name: a.name,
    size_in_bytes: a.size_in_bytes,
    url,
    archive_download_url: `${url}/zip`,
    expired: view.state.expired(a),
    created_at: a.created_at,
    expires_at: a.expires_at,
    updated_at: a.updated_at,
    digest: a.digest,
    workflow_run: run
      ? {
          id: run.id,
          repository_id: repo.id,
          head_repository_id: run.head_repository_id ?? repo.id,
          head_branch: run.head_branch,
          head_sha: run.head_sha,
        }
      : null,
  };
}
