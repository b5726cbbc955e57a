import type { GeminiPartialArg } from './wire-types.js';

type PathSegment = string | number;

/** `$.operations[0].action`, `$['odd key']` -> ['operations', 0, 'action'], ['odd key']. */
export const parseJsonPath = (path: string): PathSegment[] => {
  const segments: PathSegment[] = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/g;
  for (const match of path.replace(/^\$/, '').matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push((match[3] ?? match[4] ?? '').replace(/\\(.)/g, '$1'));
  }
  return segments;
};

/** Vertex AI streams a function call's arguments as (jsonPath, value) pieces; a string value may
 * come in several pieces (`willContinue`). This folds them into the arguments object. */
export class PartialArguments {
  private readonly root: Record<string, unknown> = {};

  add(piece: GeminiPartialArg): void {
    if (!piece.jsonPath) return;
    const path = parseJsonPath(piece.jsonPath);
    if (path.length === 0) return;
    const parent = this.containerFor(path);
    const key = path[path.length - 1] as PathSegment;
    const slot = parent as Record<PathSegment, unknown>;
    if (piece.stringValue !== undefined) slot[key] = (typeof slot[key] === 'string' ? (slot[key] as string) : '') + piece.stringValue;
    else if (piece.numberValue !== undefined) slot[key] = piece.numberValue;
    else if (piece.boolValue !== undefined) slot[key] = piece.boolValue;
    else if ('nullValue' in piece) slot[key] = null;
  }

  toJson(): string {
    return JSON.stringify(this.root);
  }

  /** Walks to the object or array holding the path's last segment, creating what is missing. */
  private containerFor(path: PathSegment[]): unknown {
    let node: Record<PathSegment, unknown> = this.root;
    for (let position = 0; position < path.length - 1; position += 1) {
      const key = path[position] as PathSegment;
      const nextIsIndex = typeof path[position + 1] === 'number';
      if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = nextIsIndex ? [] : {};
      node = node[key] as Record<PathSegment, unknown>;
    }
    return node;
  }
}
