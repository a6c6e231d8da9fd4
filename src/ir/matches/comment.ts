// comment: always matches; carries the user's note (xt_comment, at most 255 bytes).

export interface CommentMatch {
  readonly kind: 'comment';
  readonly comment: string;
}

declare module '../match.js' {
  interface MatchKinds {
    comment: CommentMatch;
  }
}
