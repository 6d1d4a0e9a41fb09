import type { AwsClients } from '@vpce-target-sync/functions';
import type { Rng } from './seed.ts';

/** One send waiting for its turn. */
interface Waiting {
  readonly label: string;
  readonly go: () => void;
}

/**
 * Turns of the event loop the scheduler waits before it picks: by then every run has gone as far
 * as it can without AWS. Between two AWS calls the product only runs promise continuations
 * (microtasks, all done before the first turn); it sleeps nowhere (the token buckets of
 * GENEROUS_RATE_LIMITS never wait), and a send's retries and back-off happen inside its turn.
 */
const SETTLE_TURNS = 3;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Decides from a seed the order in which concurrent AWS calls proceed, so a seed's interleaving
 * replays exactly. Each SDK send of the gated clients waits for its turn and holds it until its
 * answer is read (the simulator answers each call atomically anyway, so any interleaving of real
 * concurrent runs is one of these orders). When no send holds the turn and the runs have settled,
 * the scheduler picks the next send among those waiting with its PRNG; the waiting list is filled
 * in the runs' own (deterministic) promise order, so the same seed picks the same calls.
 */
export class SeededScheduler {
  /** The sends in the order they were let through: `who Operation`. */
  readonly order: string[] = [];
  private readonly waiting: Waiting[] = [];
  private running = false;
  private picking = false;

  constructor(private readonly rng: Rng) {}

  /** Makes every send of `clients` wait for its turn; `who` names them in `order`. */
  gate(clients: AwsClients, who: string): void {
    const middleware =
      <A, R>(next: (args: A) => Promise<R>, context: { commandName?: string }) =>
      async (args: A): Promise<R> => {
        await this.turn(`${who} ${(context.commandName ?? '?').replace(/Command$/, '')}`);
        try {
          return await next(args);
        } finally {
          this.running = false;
          this.pickSoon();
        }
      };
    // initialize is the outermost step: the turn covers the retries, the signing and the answer.
    const options = { step: 'initialize', priority: 'high', name: 'seededScheduler' } as const;
    clients.ec2.middlewareStack.add(middleware, options);
    clients.elbv2.middlewareStack.add(middleware, options);
    clients.cloudwatch.middlewareStack.add(middleware, options);
    clients.tagging.middlewareStack.add(middleware, options);
    // No SQS: its client is created on first use, and a reconcile never sends to the queue.
  }

  private turn(label: string): Promise<void> {
    return new Promise((go) => {
      this.waiting.push({ label, go });
      this.pickSoon();
    });
  }

  private pickSoon(): void {
    if (this.running || this.picking) return;
    this.picking = true;
    void this.pick();
  }

  private async pick(): Promise<void> {
    for (let turn = 0; turn < SETTLE_TURNS; turn++) await nextTurn();
    this.picking = false;
    if (this.running || this.waiting.length === 0) return;
    const [next] = this.waiting.splice(this.rng.int(0, this.waiting.length - 1), 1) as [Waiting];
    this.running = true;
    this.order.push(next.label);
    next.go();
  }
}
