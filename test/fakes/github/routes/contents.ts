// GET /repos/{owner}/{repo}/contents/{path}?ref= for files: base64 content wrapped like GitHub's, or
// the text itself under the raw media type.
import { notFound } from '../errors.js';
import { fileAt, resolveRef } from '../git.js';
import { requireRepo, type Route } from '../router.js';
import { encodePath, repoApi, repoHtml, sha1 } from '../shapes.js';

const DOCS = 'https://docs.github.com/rest/repos/contents#get-repository-content';

export const contentsRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/contents/{path}',
    docs: DOCS,
    handle(ctx) {
      const repo = requireRepo(ctx);
      const path = (ctx.params['path'] ?? '').replace(/^\/+|\/+$/g, '');
      const ref = ctx.query.get('ref') || repo.default_branch;
      if (resolveRef(repo, ref) === undefined && repo.contents[ref] === undefined) {
        throw notFound(DOCS, `No commit found for the ref ${ref}`);
      }
      const text = fileAt(repo, ref, path);
      if (text === undefined) throw notFound(DOCS);
      const accept = String(ctx.headers['accept'] ?? '');
      if (/application\/vnd\.github(\.v3)?\.raw/.test(accept)) {
        return { body: text, raw: { contentType: 'application/vnd.github.raw; charset=utf-8', text } };
      }
      const bytes = Buffer.from(text, 'utf8');
      const blob = sha1(`blob ${bytes.length}\0${text}`);
      const api = repoApi(ctx, repo);
      const url = `${api}/contents/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
      const gitUrl = `${api}/git/blobs/${blob}`;
      const htmlUrl = `${repoHtml(repo)}/blob/${encodeURIComponent(ref)}/${encodePath(path)}`;
      return {
        body: {
          name: path.split('/').at(-1) ?? path,
          path,
          sha: blob,
          size: bytes.length,
          url,
          html_url: htmlUrl,
          git_url: gitUrl,
          download_url: `https://raw.githubusercontent.com/${repo.owner}/${repo.name}/${encodeURIComponent(ref)}/${encodePath(path)}`,
          type: 'file',
          content: wrapBase64(bytes.toString('base64')),
          encoding: 'base64',
          _links: { self: url, git: gitUrl, html: htmlUrl },
        },
      };
    },
  },
];

/** GitHub breaks base64 content into 60-character lines, each ending in a newline. */
function wrapBase64(b64: string): string {
  return (b64.match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join('');
}
