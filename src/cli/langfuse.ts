import { langfuseRepo, type Project, type Store } from '../storage/index.js';

/** `aether keys create --langfuse`: a Langfuse-style key pair; what to print as JSON and as lines. */
export async function createLangfuseKeyPair(store: Pick<Store, 'pool'>, project: Project, name: string): Promise<{ value: Record<string, unknown>; lines: string[] }> {
  const { publicKey, secretKey, record } = await langfuseRepo(store.pool).createKey({ projectId: project.id, name });
  return {
    value: { id: record.id, name: record.name, project_id: project.id, public_key: publicKey, secret_key: secretKey, created_at: record.createdAt.toISOString() },
    lines: [
      `created Langfuse key pair ${record.id} for project ${project.slug}`,
      `LANGFUSE_PUBLIC_KEY=${publicKey}`,
      `LANGFUSE_SECRET_KEY=${secretKey}`,
      'Point LANGFUSE_HOST (or baseUrl) at this server. Store the secret now: it cannot be shown again.',
    ],
  };
}
