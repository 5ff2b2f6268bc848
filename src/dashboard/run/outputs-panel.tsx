import { useEffect, useState } from 'preact/hooks';
import { apiFetch, listAll } from '../api/client';
import type { OutputFileBody } from '../api/types';
import { safeFileName, saveBlob } from '../ui/download';
import { formatBytes, formatDate } from '../ui/format';

/** The run's output files; a download goes through the API with the token, then is saved from a blob. */
export function OutputsPanel({ path }: { path: string }) {
  const [files, setFiles] = useState<OutputFileBody[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    listAll<OutputFileBody>(`${path}/outputs/`, controller.signal).then(setFiles, (failure: Error) => !controller.signal.aborted && setError(failure.message));
    return () => controller.abort();
  }, [path]);

  const download = async (file: OutputFileBody) => {
    try {
      const encoded = file.path.split('/').map(encodeURIComponent).join('/');
      const response = await apiFetch(`${path}/outputs/${encoded}`);
      saveBlob(await response.blob(), safeFileName(file.path.split('/').pop() ?? file.path));
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <section class="panel">
      <header class="panel-head"><h2>Outputs</h2></header>
      {error ? <p class="error">{error}</p> : null}
      {files === null ? null : files.length === 0 ? (
        <p class="empty">No outputs.</p>
      ) : (
        <table class="kv">
          <tbody>
            {files.map((file) => (
              <tr key={file.path}>
                <th scope="row">
                  <button type="button" class="link" onClick={() => void download(file)}>{file.path}</button>
                </th>
                <td>{formatBytes(file.size)} · {formatDate(Date.parse(file.modified_at))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
