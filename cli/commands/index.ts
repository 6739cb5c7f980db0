/**
 * Every `curtain` sub-command, in the order `curtain help` lists them.
 * Adding a command: one file in this folder and one entry here.
 */
import type { Command } from '../command';
import { closeCommand } from './close';
import { compareCommand } from './compare';
import { fetchCommand } from './fetch';
import { fingerprintCommand } from './fingerprint';
import { listCommand } from './list';
import { packCommand } from './pack';
import { planCommand } from './plan';
import { replanCommand } from './replan';
import { resumeCommand } from './resume';
import { reportCommand } from './report';
import { runCommand } from './run';
import { showCommand } from './show';
import { startCommand } from './start';
import { validateCommand } from './validate';
import { verifyCommand } from './verify';

export const COMMANDS: Command[] = [
  listCommand,
  showCommand,
  planCommand,
  validateCommand,
  runCommand,
  resumeCommand,
  closeCommand,
  startCommand,
  fetchCommand,
  reportCommand,
  compareCommand,
  packCommand,
  verifyCommand,
  replanCommand,
  fingerprintCommand,
];
