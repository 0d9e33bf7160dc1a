// Known answers of the `hardened` preset: see test/helpers/known-answers.ts.
import { knownAnswers } from './helpers/known-answers.js';

knownAnswers('hardened');
