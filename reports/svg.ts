/** DOT to SVG with the WebAssembly build of Graphviz (@viz-js/viz): no system Graphviz needed. */
import { instance, type Viz } from '@viz-js/viz';

// Compiling the WASM module takes a noticeable fraction of a second; do it once per process.
let cached: Promise<Viz> | undefined;

function viz(): Promise<Viz> {
  if (cached === undefined) {
    const started = instance();
    cached = started;
    // A failed start must not poison later calls.
    started.catch(() => {
      if (cached === started) cached = undefined;
    });
  }
  return cached;
}

/**
 * Lays out `dot` with the `dot` engine and returns the SVG document (starting with `<?xml`).
 * Rejects with an Error carrying Graphviz's message when the DOT does not parse or render.
 *
 * A WebAssembly trap inside Graphviz (a bug of the build, which can leave the instance's memory
 * corrupted by an earlier graph) discards the cached instance and retries once on a fresh one.
 */
export async function renderSvg(dot: string): Promise<string> {
  try {
    return await renderOnce(dot);
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw wrap(e);
    cached = undefined;
    try {
      return await renderOnce(dot);
    } catch (again) {
      throw wrap(again);
    }
  }
}

async function renderOnce(dot: string): Promise<string> {
  const v = await viz();
  return v.renderString(dot, { format: 'svg', engine: 'dot' });
}

function wrap(e: unknown): Error {
  const why = e instanceof Error ? e.message : String(e);
  return new Error(`Graphviz could not render the graph: ${why}`, { cause: e });
}
