// A NoCloud seed image (ISO 9660 + Joliet, ECMA-119) written in plain TypeScript, so a generated lab
// ships each VM's cloud-init seed as a ready ISO. Students need no ISO tool: Linux and macOS hosts
// would need genisoimage/mkisofs/hdiutil, and Windows hosts have none at all (Vagrant's cloud_init
// support shells out to oscdimg, which only comes with the Windows ADK).
//
// Only what a seed needs: a flat root directory of small files, one volume label. The consumers that
// matter are Linux's: the kernel's isofs, blkid (cloud-init finds the seed by the label "cidata") and
// cloud-init's NoCloud datasource, which reads "user-data" and "meta-data" by those exact names.
// Those names are not ISO 9660 names (lower case, hyphen), so they live in the Joliet directory;
// Linux prefers Joliet whenever there is no Rock Ridge, and we write none.
//
// Same input, same bytes: nothing here reads the clock, the host or a random source.

const SECTOR = 2048;
/** Sectors 0-15 are the system area, reserved for booting; ISO 9660 starts at sector 16. */
const SYSTEM_AREA_SECTORS = 16;
const MAX_VOLUME_ID = 16; // The Joliet volume id field holds 16 UCS-2 characters.
const MAX_NAME = 64; // Joliet's limit for a file identifier, in characters.
const DIRECTORY_FLAG = 0x02;
const ROOT_DIRECTORY_NUMBER = 1;
const PATH_TABLE_SIZE = 10; // One record, the root's, with its 1-byte identifier and a pad byte.
/** Joliet level 3 ("%/E"): UCS-2 without restrictions on which code points appear. */
const JOLIET_ESCAPE = Buffer.from('%/E', 'ascii');
/** Characters Joliet forbids in a name; ';' would also read as the start of a version number. */
const JOLIET_FORBIDDEN = /[*/:;?\\]/;

// One fixed instant for every date, 1980-01-01T00:00:00Z, rather than the "not specified" zeros the
// volume descriptor allows: the 7-byte dates of directory records have no "not specified" value
// (zeros would be month 0, day 0, which readers turn into a date in 1899), and one date throughout
// reads the same in every tool. 1980 is the earliest date FAT and ZIP can hold, so copying the
// files elsewhere keeps it, as reproducible-build tools do with SOURCE_DATE_EPOCH.
const FIXED_DATE_DIGITS = '1980010100000000'; // YYYYMMDDhhmmsscc, then a 0 (UTC) offset byte.
const FIXED_DATE_RECORD = [80, 1, 1, 0, 0, 0, 0]; // Years since 1900, month, day, h, m, s, UTC offset.

export interface IsoFile {
  name: string;
  content: Uint8Array | string;
}

/** A file or directory as one directory record describes it. */
interface Entry {
  identifier: Buffer;
  extent: number;
  size: number;
  flags: number;
}

/** Where each structure starts, in sectors. */
interface Layout {
  primaryPathTableL: number;
  primaryPathTableM: number;
  jolietPathTableL: number;
  jolietPathTableM: number;
  primaryRoot: Entry;
  jolietRoot: Entry;
  fileExtents: number[];
  totalSectors: number;
}

/**
 * An ISO 9660 image with a Joliet tree, the files in its root directory. `volumeId` is written as
 * given (genisoimage writes "cidata" in lower case too, although ISO 9660 asks for upper case: blkid
 * reports the label byte for byte). Strings are written as UTF-8.
 */
export function isoImage(volumeId: string, files: IsoFile[]): Buffer {
  checkVolumeId(volumeId);
  checkFileNames(files.map((f) => f.name));
  const contents = files.map((f) => (typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : Buffer.from(f.content)));
  const primaryIds = level1Identifiers(files.map((f) => f.name)).map((id) => Buffer.from(id, 'ascii'));
  const jolietIds = files.map((f) => ucs2(f.name));
  const layout = planLayout(primaryIds, jolietIds, contents);

  const image = Buffer.alloc(layout.totalSectors * SECTOR);
  const put = (sector: number, bytes: Buffer) => bytes.copy(image, sector * SECTOR);
  const fileEntries = (ids: Buffer[]) =>
    contents.map((c, i): Entry => ({ identifier: ids[i] as Buffer, extent: layout.fileExtents[i] as number, size: c.length, flags: 0 }));

  const common = { volumeSectors: layout.totalSectors };
  put(SYSTEM_AREA_SECTORS, volumeDescriptor({ ...common, joliet: false, volumeId, root: layout.primaryRoot, pathTableL: layout.primaryPathTableL, pathTableM: layout.primaryPathTableM }));
  put(SYSTEM_AREA_SECTORS + 1, volumeDescriptor({ ...common, joliet: true, volumeId, root: layout.jolietRoot, pathTableL: layout.jolietPathTableL, pathTableM: layout.jolietPathTableM }));
  put(SYSTEM_AREA_SECTORS + 2, terminator());
  put(layout.primaryPathTableL, pathTable(layout.primaryRoot.extent, 'LE'));
  put(layout.primaryPathTableM, pathTable(layout.primaryRoot.extent, 'BE'));
  put(layout.jolietPathTableL, pathTable(layout.jolietRoot.extent, 'LE'));
  put(layout.jolietPathTableM, pathTable(layout.jolietRoot.extent, 'BE'));
  put(layout.primaryRoot.extent, rootDirectory(layout.primaryRoot, fileEntries(primaryIds), compareLevel1));
  put(layout.jolietRoot.extent, rootDirectory(layout.jolietRoot, fileEntries(jolietIds), compareBytes));
  contents.forEach((c, i) => put(layout.fileExtents[i] as number, c));
  return image;
}

function checkVolumeId(volumeId: string): void {
  // Letters, digits, '_', '-' and '.': what labels are made of, and nothing blkid would trim or
  // a shell would need quoted in `mount LABEL=...`.
  if (!/^[A-Za-z0-9_.-]+$/.test(volumeId)) throw new Error(`isoImage: volume id ${JSON.stringify(volumeId)} must be letters, digits, '_', '-' or '.'`);
  if (volumeId.length > MAX_VOLUME_ID) throw new Error(`isoImage: volume id ${JSON.stringify(volumeId)} is longer than ${MAX_VOLUME_ID} characters (the Joliet limit)`);
}

function checkFileNames(names: string[]): void {
  const seen = new Map<string, string>();
  for (const name of names) {
    const quoted = JSON.stringify(name);
    if (name.length === 0) throw new Error('isoImage: a file name is empty');
    if (name.length > MAX_NAME) throw new Error(`isoImage: file name ${quoted} is longer than ${MAX_NAME} characters (the Joliet limit)`);
    if (!/^[\x20-\x7e]+$/.test(name)) throw new Error(`isoImage: file name ${quoted} must be printable ASCII`);
    if (JOLIET_FORBIDDEN.test(name)) throw new Error(`isoImage: file name ${quoted} contains one of * / : ; ? \\ (no directories; Joliet forbids the others)`);
    // Linux and Windows drop trailing dots from Joliet names: "a." would be read back as "a".
    if (name.endsWith('.')) throw new Error(`isoImage: file name ${quoted} ends with '.', which readers drop`);
    // Windows (and Linux mounted with check=relaxed) match names regardless of case.
    const folded = name.toLowerCase();
    const earlier = seen.get(folded);
    if (earlier !== undefined) throw new Error(`isoImage: file names ${JSON.stringify(earlier)} and ${quoted} are the same name (case is ignored by readers)`);
    seen.set(folded, name);
  }
}

/**
 * ISO 9660 level 1 names ("USER_DAT.;1") for readers that ignore Joliet. The choice depends only on
 * the names and their order: a name that collides with an earlier one ends in a counter instead.
 */
function level1Identifiers(names: string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const dot = name.lastIndexOf('.');
    const stem = dChars(dot < 0 ? name : name.slice(0, dot)).slice(0, 8);
    const extension = dot < 0 ? '' : dChars(name.slice(dot + 1)).slice(0, 3);
    let candidate = stem;
    for (let n = 1; taken.has(`${candidate}.${extension}`); n++) candidate = stem.slice(0, 8 - String(n).length) + String(n);
    taken.add(`${candidate}.${extension}`);
    return `${candidate}.${extension};1`;
  });
}

/** Upper case, and '_' for anything outside ISO 9660's d-characters (A-Z, 0-9, _). */
function dChars(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

function ucs2(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

/** ECMA-119 9.3 orders records by name, then extension, each padded with spaces. */
function compareLevel1(a: Buffer, b: Buffer): number {
  const [aName = '', aExt = ''] = a.toString('ascii').replace(/;1$/, '').split('.');
  const [bName = '', bExt = ''] = b.toString('ascii').replace(/;1$/, '').split('.');
  return compareBytes(Buffer.from(aName.padEnd(8) + aExt.padEnd(3)), Buffer.from(bName.padEnd(8) + bExt.padEnd(3)));
}

function compareBytes(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

/**
 * Descriptors, the four path tables (little- and big-endian for each tree), both root directories,
 * then the file contents back to back, each from a sector boundary. Both trees point at the same
 * file data.
 */
function planLayout(primaryIds: Buffer[], jolietIds: Buffer[], contents: Buffer[]): Layout {
  let next = SYSTEM_AREA_SECTORS + 3; // Primary, Joliet, terminator.
  const take = (sectors: number) => {
    const start = next;
    next += sectors;
    return start;
  };
  const primaryPathTableL = take(1);
  const primaryPathTableM = take(1);
  const jolietPathTableL = take(1);
  const jolietPathTableM = take(1);
  const root = (ids: Buffer[]): Entry => {
    const sectors = packRecords(['.', '..', ...ids].map((id) => recordLength(typeof id === 'string' ? 1 : id.length))).sectors;
    return { identifier: Buffer.of(0), extent: take(sectors), size: sectors * SECTOR, flags: DIRECTORY_FLAG };
  };
  const primaryRoot = root(primaryIds);
  const jolietRoot = root(jolietIds);
  // An empty file owns no sector; like genisoimage it points where the next file's data starts,
  // which is never beyond the volume's end (libarchive rejects an extent that is).
  const fileExtents = contents.map((c) => take(Math.ceil(c.length / SECTOR)));
  return { primaryPathTableL, primaryPathTableM, jolietPathTableL, jolietPathTableM, primaryRoot, jolietRoot, fileExtents, totalSectors: next };
}

/** Records never straddle a sector boundary (ECMA-119 6.8.1.1): one that would starts the next. */
function packRecords(lengths: number[]): { offsets: number[]; sectors: number } {
  let offset = 0;
  const offsets = lengths.map((length) => {
    if ((offset % SECTOR) + length > SECTOR) offset = Math.ceil(offset / SECTOR) * SECTOR;
    const at = offset;
    offset += length;
    return at;
  });
  return { offsets, sectors: Math.max(1, Math.ceil(offset / SECTOR)) };
}

/** "." and ".." (the root is its own parent), then the files in the order the standard asks for. */
function rootDirectory(root: Entry, files: Entry[], order: (a: Buffer, b: Buffer) => number): Buffer {
  const sorted = [...files].sort((a, b) => order(a.identifier, b.identifier));
  const records = [root, { ...root, identifier: Buffer.of(1) }, ...sorted].map(directoryRecord);
  const { offsets, sectors } = packRecords(records.map((r) => r.length));
  const directory = Buffer.alloc(sectors * SECTOR);
  records.forEach((r, i) => r.copy(directory, offsets[i] as number));
  return directory;
}

function recordLength(identifierLength: number): number {
  return 33 + identifierLength + (identifierLength % 2 === 0 ? 1 : 0); // Padded to an even length.
}

/** ECMA-119 9.1. */
function directoryRecord(entry: Entry): Buffer {
  const record = Buffer.alloc(recordLength(entry.identifier.length));
  record[0] = record.length;
  record[1] = 0; // No extended attribute record.
  bothEndian32(record, 2, entry.extent);
  bothEndian32(record, 10, entry.size);
  Buffer.from(FIXED_DATE_RECORD).copy(record, 18);
  record[25] = entry.flags;
  // 26, 27: file unit size and interleave gap stay 0 (not interleaved).
  bothEndian16(record, 28, 1); // Volume sequence number.
  record[32] = entry.identifier.length;
  entry.identifier.copy(record, 33);
  return record;
}

/** ECMA-119 9.4: the root's record only, since every file sits in the root. */
function pathTable(rootExtent: number, endian: 'LE' | 'BE'): Buffer {
  const table = Buffer.alloc(PATH_TABLE_SIZE);
  table[0] = 1; // Identifier length: the root's single 0x00 byte.
  if (endian === 'LE') {
    table.writeUInt32LE(rootExtent, 2);
    table.writeUInt16LE(ROOT_DIRECTORY_NUMBER, 6);
  } else {
    table.writeUInt32BE(rootExtent, 2);
    table.writeUInt16BE(ROOT_DIRECTORY_NUMBER, 6);
  }
  return table;
}

interface DescriptorFields {
  joliet: boolean;
  volumeId: string;
  volumeSectors: number;
  root: Entry;
  pathTableL: number;
  pathTableM: number;
}

/** ECMA-119 8.4 (primary) and 8.5 (supplementary: Joliet marks itself with escape sequences). */
function volumeDescriptor(d: DescriptorFields): Buffer {
  const sector = Buffer.alloc(SECTOR);
  const text = (offset: number, length: number, value: string) => writeText(sector, offset, length, value, d.joliet);
  sector[0] = d.joliet ? 2 : 1;
  sector.write('CD001', 1, 'ascii');
  sector[6] = 1; // Descriptor version.
  text(8, 32, ''); // System identifier.
  text(40, 32, d.volumeId);
  bothEndian32(sector, 80, d.volumeSectors);
  if (d.joliet) JOLIET_ESCAPE.copy(sector, 88);
  bothEndian16(sector, 120, 1); // Volume set size.
  bothEndian16(sector, 124, 1); // Volume sequence number.
  bothEndian16(sector, 128, SECTOR);
  bothEndian32(sector, 132, PATH_TABLE_SIZE);
  sector.writeUInt32LE(d.pathTableL, 140);
  sector.writeUInt32BE(d.pathTableM, 148); // The optional copies at 144 and 152 stay 0: none.
  directoryRecord(d.root).copy(sector, 156);
  for (const [offset, length] of [[190, 128], [318, 128], [446, 128], [574, 128], [702, 37], [739, 37], [776, 37]] as const) {
    text(offset, length, ''); // Volume set, publisher, preparer, application; three file names.
  }
  sector.write(FIXED_DATE_DIGITS, 813, 'ascii'); // Created.
  sector.write(FIXED_DATE_DIGITS, 830, 'ascii'); // Modified.
  // Expiry and effective dates: "not specified" (digits 0, offset 0), so the volume never expires
  // and is valid at once.
  sector.write('0'.repeat(16), 847, 'ascii');
  sector.write('0'.repeat(16), 864, 'ascii');
  sector[881] = 1; // File structure version.
  return sector;
}

/** ECMA-119 8.3: ends the descriptor set. */
function terminator(): Buffer {
  const sector = Buffer.alloc(SECTOR);
  sector[0] = 255;
  sector.write('CD001', 1, 'ascii');
  sector[6] = 1;
  return sector;
}

/**
 * A space-padded text field: ASCII in the primary descriptor, UCS-2 big-endian padded with U+0020
 * in the Joliet one (an odd-length field keeps its last byte 0, as it cannot hold half a character).
 */
function writeText(sector: Buffer, offset: number, length: number, value: string, joliet: boolean): void {
  if (joliet) {
    const padded = ucs2(value.padEnd(Math.floor(length / 2)));
    padded.copy(sector, offset, 0, length);
  } else {
    sector.write(value.padEnd(length), offset, length, 'ascii');
  }
}

/** ISO 9660 stores most numbers twice, little-endian then big-endian (ECMA-119 7.2.3, 7.3.3). */
function bothEndian16(buffer: Buffer, offset: number, value: number): void {
  buffer.writeUInt16LE(value, offset);
  buffer.writeUInt16BE(value, offset + 2);
}

function bothEndian32(buffer: Buffer, offset: number, value: number): void {
  buffer.writeUInt32LE(value, offset);
  buffer.writeUInt32BE(value, offset + 4);
}
