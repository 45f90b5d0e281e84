import { availableParallelism } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { PatientResult } from "./engine-core.mjs";
import type { MeasurementPeriod, PatientBundle } from "./fhir";
import { MEASURE_BUNDLE_PATH } from "./package";

/** Read from the working directory like the measure package, so that Next's bundler leaves it
 *  alone and a worker runs it under bare Node. */
export const ENGINE_WORKER_PATH = path.join(process.cwd(), "lib", "cms249", "engine-worker.mjs");

interface Job {
  bundles: readonly PatientBundle[];
  period: MeasurementPeriod;
  resolve: (results: PatientResult[]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

/** A fixed set of worker threads, each holding the measure package, evaluating batches of
 *  patient bundles as they come free. One per core by default (each takes about 150 MB). */
export class Cms249WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(options: { size?: number; measureBundlePath?: string } = {}) {
    const size = Math.max(1, options.size ?? availableParallelism());
    for (let i = 0; i < size; i++) {
      const worker = new Worker(ENGINE_WORKER_PATH, { workerData: { measureBundlePath: options.measureBundlePath ?? MEASURE_BUNDLE_PATH } });
      const slot: Slot = { worker };
      worker.on("message", (message: { results?: PatientResult[]; error?: string }) => {
        const job = slot.job;
        slot.job = undefined;
        worker.unref();
        if (job) {
          if (message.error !== undefined) job.reject(new Error(`CMS249 worker: ${message.error}`));
          else job.resolve(message.results ?? []);
        }
        this.dispatch();
      });
      worker.on("error", (error) => {
        const job = slot.job;
        slot.job = undefined;
        job?.reject(error);
        for (const queued of this.queue.splice(0)) queued.reject(error);
      });
      // An idle pool does not keep the process alive; a busy worker does.
      worker.unref();
      this.slots.push(slot);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** Populations of one batch, in the order given. */
  evaluate(bundles: readonly PatientBundle[], period: MeasurementPeriod): Promise<PatientResult[]> {
    if (this.closed) return Promise.reject(new Error("CMS249 worker pool is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ bundles, period, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error("CMS249 worker pool closed"));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: this.nextId++, bundles: job.bundles, period: job.period });
    }
  }
}
