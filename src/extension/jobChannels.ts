// One plain output channel per training job, created on first write (so unused ones never clutter the
// Output dropdown), reused when the same job is shown again. Plain channels, not LogOutputChannel: log
// lines already carry their own timestamps.
import * as vscode from 'vscode';

export class JobChannels implements vscode.Disposable {
  private readonly channels = new Map<string, vscode.OutputChannel>();
  private readonly closed = new vscode.EventEmitter<string>();
  /** Fires with the job name when its channel is disposed (stop polling it). */
  readonly onDidClose = this.closed.event;

  private channel(job: string): vscode.OutputChannel {
    let ch = this.channels.get(job);
    if (!ch) {
      ch = vscode.window.createOutputChannel(`SageMaker: ${job}`, 'log');
      this.channels.set(job, ch);
    }
    return ch;
  }

  appendLine(job: string, line: string): void {
    this.channel(job).appendLine(line);
  }

  append(job: string, text: string): void {
    this.channel(job).append(text);
  }

  show(job: string, preserveFocus = true): void {
    this.channel(job).show(preserveFocus);
  }

  has(job: string): boolean {
    return this.channels.has(job);
  }

  clear(job: string): void {
    this.channels.get(job)?.clear();
  }

  close(job: string): void {
    const ch = this.channels.get(job);
    if (!ch) return;
    this.channels.delete(job);
    ch.dispose();
    this.closed.fire(job);
  }

  dispose(): void {
    for (const job of [...this.channels.keys()]) this.close(job);
    this.closed.dispose();
  }
}
