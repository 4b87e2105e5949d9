import { ApiError, session } from './session';

/**
 * Downloads an API answer as a file (the reports' CSV). A plain link cannot carry the bearer token, so the file is
 * fetched with it and handed to the browser as an object URL; a 401 renews the token once, as api() does.
 */
export async function downloadFile(path: string, fallbackName: string): Promise<void> {
  const get = () => fetch(path, { headers: { Accept: 'text/csv', Authorization: `Bearer ${session.token ?? ''}` } });
  let res = await get();
  if (res.status === 401 && (await session.refresh())) res = await get();
  if (!res.ok) {
    const text = await res.text();
    throw new ApiError({ status: res.status, ...(text.startsWith('{') ? JSON.parse(text) : {}) });
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
