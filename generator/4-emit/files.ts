// What an emitter returns: relative path -> content. Emitters are pure functions of the model.
import type { LabModel } from '../3-resolve/model.js';
import type { TemplateSet } from './templates.js';

export interface OutputFile {
  path: string;
  /** The text of the file; '' for a binary file, whose bytes are in `bytes`. */
  content: string;
  /** A binary file (a cloud-init seed image): written byte for byte instead of `content`. */
  bytes?: Uint8Array;
  executable?: boolean;
}

/** What goes on disk for a file: its bytes, or its text as UTF-8. */
export const fileData = (f: OutputFile): string | Uint8Array => f.bytes ?? f.content;

export interface EmitContext {
  model: LabModel;
  templates: TemplateSet;
  /** Provenance header lines (without comment markers). */
  provenance: string;
}

export type Emitter = (ctx: EmitContext) => OutputFile[];

/** An emitter that packs files other emitters wrote (user-data, containers.sh); it receives every
 * file emitted before it, so nothing is emitted twice and no file name is hard-coded. */
export type Bundler = (ctx: EmitContext, earlier: OutputFile[]) => OutputFile[];
