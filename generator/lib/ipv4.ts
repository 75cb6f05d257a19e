// IPv4 arithmetic on plain numbers.

export function parseIp(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (Math.floor(n / 2 ** s) % 256).toString()).join('.');
}

export interface ParsedCidr {
  ip: number;
  prefix: number;
  network: number;
}

export function parseCidr(text: string): ParsedCidr | undefined {
  const [ipText, prefixText, extra] = text.split('/');
  if (ipText === undefined || prefixText === undefined || extra !== undefined) return undefined;
  const ip = parseIp(ipText);
  if (ip === undefined || !/^[0-9]{1,2}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  return { ip, prefix, network: networkOf(ip, prefix) };
}

export function networkOf(ip: number, prefix: number): number {
  const size = 2 ** (32 - prefix);
  return Math.floor(ip / size) * size;
}

export function inNetwork(ip: number, network: number, prefix: number): boolean {
  return networkOf(ip, prefix) === network;
}

export function broadcastOf(network: number, prefix: number): number {
  return network + 2 ** (32 - prefix) - 1;
}
