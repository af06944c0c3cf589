import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router } from '@angular/router';
import { attempt } from '../core/page-state';
import { SessionService } from '../core/session.service';

@Component({
  selector: 'app-login',
  imports: [FormsModule],
  templateUrl: './login.html',
  styleUrl: './login.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Login {
  private readonly session = inject(SessionService);
  private readonly router = inject(Router);

  protected readonly username = signal('');
  protected readonly password = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly notice =
    inject(ActivatedRoute).snapshot.queryParamMap.get('reason') === 'expired' ? 'Your session has expired. Please log in again.' : null;

  protected async submit(): Promise<void> {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    await attempt(this.error, async () => {
      await this.session.login(this.username(), this.password());
      await this.router.navigate(['/nodes']);
    });
    this.busy.set(false);
  }
}
