/**
 * Prints a measured figure. Unlike `console.log` (kept for failing tests only), this always
 * reaches the test run's output.
 */
export function report(message: string): void {
  process.stdout.write(`    ${message}\n`);
}
