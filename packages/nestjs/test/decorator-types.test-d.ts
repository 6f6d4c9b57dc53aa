/**
 * Type tests of the method decorators, checked by `pnpm typecheck` (tsc on the root tsconfig, which
 * includes this file; jest does not run it). Each `@ts-expect-error` must meet an error: a method
 * whose event or decision does not fit its command must not compile, and if it ever did, the
 * directive itself would be the error. The methods without one must compile.
 */
import {
  type AnyCallbackEvent,
  allow,
  type CallbackEvent,
  discard,
  friendResults,
  type ImCallbackError,
  OnAnyImCallback,
  OnImCallback,
  OnImCallbackError,
  refuseOnly,
} from '@im-callbacks/nestjs';

export class Accepted {
  @OnImCallback('Group.CallbackAfterSendMsg')
  after(event: CallbackEvent<'Group.CallbackAfterSendMsg'>): void {
    const groupId: string = event.payload.GroupId;
    void groupId;
  }

  @OnImCallback('Group.CallbackBeforeSendMsg')
  async before(event: CallbackEvent<'Group.CallbackBeforeSendMsg'>) {
    return event.payload.From_Account === 'x' ? discard() : allow({ CloudCustomData: 'y' });
  }

  @OnImCallback('Group.CallbackBeforeInviteJoinGroup')
  invite() {
    return refuseOnly(['a']);
  }

  @OnImCallback(['Group.CallbackAfterSendMsg', 'Group.CallbackSendMsgException'])
  both(event: CallbackEvent<'Group.CallbackAfterSendMsg' | 'Group.CallbackSendMsgException'>) {
    return event.payload.GroupId;
  }

  @OnImCallback('Sns.CallbackPrevFriendAdd')
  friends(event: CallbackEvent<'Sns.CallbackPrevFriendAdd'>) {
    return friendResults(event.payload.FriendItem.map((item) => ({ To_Account: item.To_Account, ResultCode: 0 })));
  }

  @OnImCallback('Group.CallbackBeforeCreateGroup')
  nothing(): void {}

  @OnAnyImCallback()
  any(event: AnyCallbackEvent) {
    return event.command;
  }

  @OnImCallbackError()
  error(error: ImCallbackError) {
    return error.code;
  }
}

export class Rejected {
  // @ts-expect-error a decision the command does not take: create group cannot be discarded
  @OnImCallback('Group.CallbackBeforeCreateGroup')
  discardCreate() {
    return discard();
  }

  // @ts-expect-error refuseOnly is for invitations and subscriptions, not for a message
  @OnImCallback('Group.CallbackBeforeSendMsg')
  async refuseMessage() {
    return refuseOnly(['a']);
  }

  // @ts-expect-error per-friend results answer a friend callback, not a message
  @OnImCallback('C2C.CallbackBeforeSendMsg')
  friendsForMessage() {
    return friendResults([]);
  }

  // @ts-expect-error a before-callback's method returns a decision, not a string
  @OnImCallback('Group.CallbackBeforeSendMsg')
  text() {
    return 'allow';
  }

  // @ts-expect-error the wrong event type: a before-send method on the after-send command
  @OnImCallback('Group.CallbackAfterSendMsg')
  wrongEvent(event: CallbackEvent<'Group.CallbackBeforeSendMsg'>) {
    return event.payload.MsgBody;
  }

  // @ts-expect-error a list of commands handled as if it were one of them
  @OnImCallback(['Group.CallbackAfterSendMsg', 'C2C.CallbackAfterSendMsg'])
  list(event: CallbackEvent<'Group.CallbackAfterSendMsg'>) {
    return event.payload.GroupId;
  }

  // @ts-expect-error an unknown command
  @OnImCallback('Group.CallbackAfterSendMessage')
  unknown() {}

  // @ts-expect-error onAny methods take every event, not one command's
  @OnAnyImCallback()
  anyNarrow(event: CallbackEvent<'Group.CallbackAfterSendMsg'>) {
    return event.payload.GroupId;
  }

  // @ts-expect-error error methods take an ImCallbackError
  @OnImCallbackError()
  errorWrong(error: string) {
    return error;
  }
}
