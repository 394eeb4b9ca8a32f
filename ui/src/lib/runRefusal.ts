import type { ApiError } from '../bindings/ApiError';

/** One map a Run was refused for, with the codes of its validation errors (`DW-V016`, …). */
export interface RunRefusal {
  map: string;
  codes: string[];
}

/** A validation code as the backend names them: letters, dashes and digits (`DW-V016`). */
const CODE = /^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$/;

/**
 * The maps and codes of a `validation_failed` error: its message names each map as
 * `'<map>' has DW-V016, DW-V004`, several separated by `; `. Answers an empty list for any
 * other error. Tolerant of wording around the pairs; a code that is not code-shaped is left out.
 */
export function runRefusals(error: ApiError): RunRefusal[] {
  if (error.code !== 'validation_failed') return [];
  const refusals: RunRefusal[] = [];
  for (const match of error.message.matchAll(/'([^']+)' has ([^;]+)/g)) {
    const codes = match[2]
      .split(/[,\s]+/)
      .map((word) => word.replace(/[.;:)]+$/, ''))
      .filter((word) => CODE.test(word));
    if (codes.length === 0) continue;
    const existing = refusals.find((r) => r.map === match[1]);
    if (existing) existing.codes = [...new Set([...existing.codes, ...codes])];
    else refusals.push({ map: match[1], codes: [...new Set(codes)] });
  }
  return refusals;
}

/** The codes refused for one map (empty when the error does not name it). */
export function refusedCodes(error: ApiError, map: string): string[] {
  return runRefusals(error).find((r) => r.map === map)?.codes ?? [];
}

/** A sentence for one refused map: "It has validation errors (DW-V016, DW-V004): …". */
export function refusalText(codes: readonly string[]): string {
  const named = codes.length > 0 ? ` (${codes.join(', ')})` : '';
  return `It has validation errors${named}, so it cannot run. Open its details for each problem and its fix.`;
}

/**
 * A `validation_failed` error with a readable message naming each map and its codes; any
 * other error, or one whose message cannot be read, as it came.
 */
export function readableRefusal(error: ApiError): ApiError {
  const refusals = runRefusals(error);
  if (refusals.length === 0) return error;
  if (refusals.length === 1) {
    const [{ map, codes }] = refusals;
    return {
      code: error.code,
      message: `Validation errors (${codes.join(', ')}) stop '${map}' from running. Open its details for each problem and its fix.`,
    };
  }
  const maps = refusals.map((r) => `'${r.map}' (${r.codes.join(', ')})`).join('; ');
  return {
    code: error.code,
    message: `Validation errors stop ${refusals.length} maps from running: ${maps}. Open each map's details for its problems and their fixes.`,
  };
}
