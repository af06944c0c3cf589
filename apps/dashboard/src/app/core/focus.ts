import { afterNextRender, ElementRef, inject, Injector } from '@angular/core';

/** Moves the keyboard focus to the component's element matching a selector, once the page shows what was just asked for. */
export function focusLater(): (selector: string) => void {
  const host = inject<ElementRef<HTMLElement>>(ElementRef);
  const injector = inject(Injector);
  return (selector) => afterNextRender(() => host.nativeElement.querySelector<HTMLElement>(selector)?.focus(), { injector });
}
