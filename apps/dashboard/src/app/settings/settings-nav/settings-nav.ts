import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink, RouterLinkActive } from '@angular/router';

/** Moves between the settings pages; they are mounted under /settings. */
@Component({
  selector: 'app-settings-nav',
  imports: [RouterLink, RouterLinkActive],
  templateUrl: './settings-nav.html',
  styleUrl: './settings-nav.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SettingsNav {
  protected readonly links = [
    { path: '/settings/keys', label: 'API keys' },
    { path: '/settings/users', label: 'Users' },
    { path: '/settings/audit', label: 'Audit log' },
  ];
}
