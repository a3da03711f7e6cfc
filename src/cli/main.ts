import { Command, CommanderError } from 'commander';
import { isAccelmapError } from '../util/errors.js';
import { printable } from '../util/printable.js';
import { accelmapVersion, setCommand } from '../util/provenance.js';
import { EXAMPLES } from './examples.js';
import { processIo, type Io } from './io.js';
import { registerModels } from './commands/models.js';
import { registerProfile } from './commands/profile.js';
import { registerCompare } from './commands/compare.js';
import { registerOps } from './commands/ops.js';
import { registerSystolic } from './commands/systolic.js';
import { registerScale } from './commands/scale.js';
import { registerCompressDemo } from './commands/compress-demo.js';
import { registerArch } from './commands/arch.js';
import { registerModel } from './commands/model.js';
import { registerMemory } from './commands/memory.js';
import { registerTimeloop } from './commands/timeloop.js';
import { registerMap } from './commands/map.js';
import { registerRun } from './commands/run.js';
import { registerCompile } from './commands/compile.js';
import { registerVta } from './commands/vta.js';
import { registerQuantize } from './commands/quantize.js';
import { registerExplore } from './commands/explore.js';
import { registerResults } from './commands/results.js';
import { registerWorker } from './commands/worker.js';
import { registerServe } from './commands/serve.js';

/** Every command registers itself here, one line each. */
const COMMANDS: ((program: Command, io: Io) => void)[] = [
  registerModels,
  registerProfile,
  registerCompare,
  registerOps,
  registerSystolic,
  registerScale,
  registerCompressDemo,
  registerArch,
  registerModel,
  registerMemory,
  registerTimeloop,
  registerMap,
  registerRun,
  registerCompile,
  registerVta,
  registerQuantize,
  registerExplore,
  registerResults,
  registerWorker,
  registerServe,
];

export function buildProgram(io: Io): Command {
  const program = new Command('accelmap')
    .description('Map deep-learning workloads onto accelerators: characterize, cost, search mappings, plan memory and scale-out.')
    .version(accelmapVersion())
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
      outputError: () => {},
    });
  for (const register of COMMANDS) register(program, io);
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()), outputError: () => {} });
    for (const option of cmd.options) if (option.mandatory) option.description = `(required) ${option.description}`;
    const examples = EXAMPLES[cmd.name()];
    if (examples) cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
  }
  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 on success, 2 for a user mistake
 * (one line on stderr, no stack trace), 1 for a bug (with its stack).
 */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  setCommand(argv);
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      const message = e.message.replace(/^error: /, '').replace(/\n+/g, ' ').trim();
      const command = program.commands.find((c) => c.name() === argv[0]);
      io.err(`accelmap: ${printable(message)} (see accelmap ${command ? `${command.name()} ` : ''}--help)`);
      return 2;
    }
    if (isAccelmapError(e)) {
      io.err(`accelmap: ${e.render()}`);
      return 2;
    }
    io.err(`accelmap: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}
