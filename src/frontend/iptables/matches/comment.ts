// -m comment --comment TEXT (libxt_comment).

import type { CommentMatch } from '../../../ir/matches/comment.js';
import type { MatchExtension } from '../extension.js';
import { saveString } from '../printer.js';

const MAX_LEN = 255; // XT_MAX_COMMENT_LEN - 1

export const commentMatch: MatchExtension<CommentMatch> = {
  name: 'comment',
  kinds: ['comment'],
  options: [{ name: 'comment', arg: 'required' }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'comment');
    if (!use) ctx.error(at, 'comment: option "--comment" must be specified');
    const text = use!.value!;
    if (Buffer.byteLength(text) > MAX_LEN)
      ctx.error(use!.valueAt, `comment may be at most ${MAX_LEN} bytes long`);
    return { kind: 'comment', comment: text };
  },
  save: (m) => `--comment ${saveString(m.comment)}`,
};
