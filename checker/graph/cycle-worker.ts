/**
 * Worker thread of the parallel accepting-cycle search: builds the product once per run from
 * its factory module, then runs its part of the concurrent nested DFS (concurrent-ndfs.ts).
 */
import workerpool from 'workerpool';
import { searchAsWorker, type WorkerOutcome } from './concurrent-ndfs.js';
import type { ProductSpec } from './product-steps.js';
import { SharedProductStore, type SharedProductHandles } from './shared-product-store.js';
import type { TransitionSystem } from '../transition-system.js';

/** What a worker builds its product from: a module exporting `createProduct(params)`, and plain data. */
export interface ProductFactory {
  /** File URL of a module exporting `createProduct(params): { system, spec }`. */
  readonly factory: string;
  readonly params: unknown;
  /** Identifies `params`, so a worker builds each product once. */
  readonly key: string;
}

export interface CycleTask {
  readonly product: ProductFactory;
  readonly store: SharedProductHandles;
  readonly worker: number;
  /** Fault injection for tests: this worker dies at the start of its search. */
  readonly crash?: boolean;
}

interface Product {
  readonly system: TransitionSystem;
  readonly spec: ProductSpec;
}

let cached: { key: string; product: Product } | undefined;

async function productFor(f: ProductFactory): Promise<Product> {
  if (cached?.key !== f.key) {
    const mod = (await import(f.factory)) as { createProduct(params: unknown): Product };
    cached = { key: f.key, product: mod.createProduct(f.params) };
  }
  return cached.product;
}

async function search(task: CycleTask): Promise<WorkerOutcome> {
  if (task.crash === true) process.exit(1);
  const { system, spec } = await productFor(task.product);
  return searchAsWorker(system, spec, new SharedProductStore(task.store, task.worker), task.worker);
}

workerpool.worker({ search });
