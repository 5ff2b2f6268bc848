/** Saves `blob` as `fileName` through a temporary object URL (no server round trip, nothing inline). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from data: anything but letters, digits, `._-` becomes `_`. */
export const safeFileName = (text: string): string => text.replace(/[^\w.-]+/g, '_').slice(0, 120) || 'file';
