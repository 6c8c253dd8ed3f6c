// One plain output channel per training job, created on first write (so unused ones never clutter the
// Output dropdown), reused when the same job is shown again. Plain channels, not LogOutputChannel: log
// lines already carry their own timestamps.
import * as vscode from 'vscode';
import { redactSecrets } from '../core/secrets';
import { redactingChannel } from './redacting';

export class JobChannels implements vscode.Disposable {
  private readonly channels = new Map<string, vscode.OutputChannel>();
  // VS Code has no API to read an OutputChannel back; the e2e tests (and the job details page) read this
  // bounded copy of each job's last lines instead.
  private readonly copies = new Map<string, string[]>();
  static readonly COPY_LINES = 2000;
  private readonly closed = new vscode.EventEmitter<string>();
  /** Fires with the job name when its channel is disposed (stop polling it). */
  readonly onDidClose = this.closed.event;

  private channel(job: string): vscode.OutputChannel {
    let ch = this.channels.get(job);
    if (!ch) {
      ch = redactingChannel(vscode.window.createOutputChannel(`SageMaker: ${job}`, 'log'));
      this.channels.set(job, ch);
    }
    return ch;
  }

  appendLine(job: string, line: string): void {
    this.channel(job).appendLine(line);
    this.keep(job, redactSecrets(line) + '\n');
  }

  append(job: string, text: string): void {
    this.channel(job).append(text);
    this.keep(job, redactSecrets(text));
  }

  private keep(job: string, text: string): void {
    let copy = this.copies.get(job);
    if (!copy) this.copies.set(job, (copy = ['']));
    const parts = text.split('\n');
    copy[copy.length - 1] += parts[0]!;
    for (let i = 1; i < parts.length; i++) copy.push(parts[i]!);
    if (copy.length > JobChannels.COPY_LINES + 1) copy.splice(0, copy.length - JobChannels.COPY_LINES - 1);
  }

  /** The job's last lines as written (complete lines only; at most COPY_LINES). */
  lines(job: string): string[] {
    const copy = this.copies.get(job);
    return copy ? copy.slice(0, -1) : [];
  }

  show(job: string, preserveFocus = true): void {
    this.channel(job).show(preserveFocus);
  }

  has(job: string): boolean {
    return this.channels.has(job);
  }

  clear(job: string): void {
    this.channels.get(job)?.clear();
    this.copies.delete(job);
  }

  close(job: string): void {
    const ch = this.channels.get(job);
    if (!ch) return;
    this.channels.delete(job);
    this.copies.delete(job);
    ch.dispose();
    this.closed.fire(job);
  }

  dispose(): void {
    for (const job of [...this.channels.keys()]) this.close(job);
    this.closed.dispose();
  }
}
