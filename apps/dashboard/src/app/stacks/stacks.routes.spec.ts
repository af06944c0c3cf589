import { Type } from '@angular/core';
import { StackDeployPage } from './stack-deploy/stack-deploy-page';
import { StackDetailPage } from './stack-detail/stack-detail-page';
import { StackListPage } from './stack-list/stack-list-page';
import { STACKS_ROUTES } from './stacks.routes';

describe('STACKS_ROUTES', () => {
  it('has the list, deploy (before a stack’s name can take it) and one stack, each with a title', async () => {
    expect(STACKS_ROUTES.map((route) => [route.path, route.title])).toEqual([
      ['', 'Stacks · Thresh Hub'],
      ['deploy', 'Deploy a stack · Thresh Hub'],
      [':name', 'Stack · Thresh Hub'],
    ]);
    const pages = await Promise.all(STACKS_ROUTES.map((route) => route.loadComponent?.() as Promise<Type<unknown>>));
    expect(pages).toEqual([StackListPage, StackDeployPage, StackDetailPage]);
  });
});
