// Known answers of the `weak` preset: see test/helpers/known-answers.ts.
import { knownAnswers } from './helpers/known-answers.js';

knownAnswers('weak');
