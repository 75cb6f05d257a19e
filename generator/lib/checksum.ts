// "sha256:<hex>" as the spec writes a box checksum; Vagrant wants the type and the digest apart.
export const CHECKSUM_TYPES = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'] as const;

export function parseChecksum(text: string | undefined): { type: string; value: string } | undefined {
  if (text === undefined) return undefined;
  const i = text.indexOf(':');
  return { type: text.slice(0, i), value: text.slice(i + 1).toLowerCase() };
}
