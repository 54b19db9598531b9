/**
 * Hard numeric constraints (seed 000's AIModelProtector: min_value, max_value, max_gradient, and
 * non-finite values). These refuse a request; the statistical checks live in detection.
 * @module
 */
import type { ValidationOptions } from '../config/schema.js';
import type { NumericArray } from './walk.js';

export interface NumericViolation {
  path: string;
  message: string;
  kind: 'non_finite' | 'below_min' | 'above_max' | 'gradient';
}

const MAX_VIOLATIONS = 10;
const NON_FINITE_MESSAGE = 'must be a finite number (a literal such as 1e999 overflows to Infinity)';

/** Checks every collected number against the configured constraints; linear, stops after 10 problems. */
export function checkNumericRanges(
  arrays: readonly NumericArray[],
  scalars: ReadonlyArray<{ path: string; value: number }>,
  options: ValidationOptions['numeric'],
): NumericViolation[] {
  const { min, max, maxGradient, allowNonFinite } = options;
  const violations: NumericViolation[] = [];
  const check = (value: number, path: string): void => {
    if (!allowNonFinite && !Number.isFinite(value)) {
      // JSON has no Infinity or NaN: a finite-looking literal such as 1e999 overflows when parsed.
      violations.push({ path, kind: 'non_finite', message: NON_FINITE_MESSAGE });
    } else if (min !== undefined && value < min) {
      violations.push({ path, kind: 'below_min', message: `must be >= ${min}` });
    } else if (max !== undefined && value > max) {
      violations.push({ path, kind: 'above_max', message: `must be <= ${max}` });
    }
  };
  for (const scalar of scalars) {
    if (violations.length >= MAX_VIOLATIONS) return violations;
    check(scalar.value, scalar.path);
  }
  for (const { path, values } of arrays) {
    let previous: number | undefined;
    for (let i = 0; i < values.length; i++) {
      if (violations.length >= MAX_VIOLATIONS) return violations;
      const value = values[i];
      if (typeof value !== 'number') {
        previous = undefined;
        continue;
      }
      check(value, `${path}[${i}]`);
      // A jump to or from a non-finite value is not a gradient (and is reported above when refused).
      if (!Number.isFinite(value)) {
        previous = undefined;
        continue;
      }
      if (maxGradient !== undefined && previous !== undefined && Math.abs(value - previous) > maxGradient) {
        violations.push({
          path: `${path}[${i}]`,
          kind: 'gradient',
          message: `jump of ${Math.abs(value - previous).toPrecision(4)} from the previous value exceeds max gradient ${maxGradient}`,
        });
      }
      previous = value;
    }
  }
  return violations;
}
