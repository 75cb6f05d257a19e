#!/usr/bin/env node
import { main } from '../dist/generator/cli.js';

main(process.argv);
