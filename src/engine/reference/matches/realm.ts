// -m realm: not evaluated yet (stub).

import type { RealmMatch } from '../../../ir/matches/realm.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const realmEvaluator: MatchEvaluator<RealmMatch> = notEvaluated('realm');
