import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { patchChildren } from '../../src/page/dom/patchChildren.js';

/** Just enough of a DOM parent for patchChildren, counting the changes it makes. */
class FakeParent {
  children: FakeNode[] = [];
  operations = 0;
  get firstChild(): FakeNode | null {
    return this.children[0] ?? null;
  }
  insertBefore(node: FakeNode, before: FakeNode | null): void {
    this.operations += 1;
    const at = this.children.indexOf(node);
    if (at >= 0) this.children.splice(at, 1);
    node.parent = this;
    this.children.splice(before === null ? this.children.length : this.children.indexOf(before), 0, node);
  }
  removeChild(node: FakeNode): void {
    this.operations += 1;
    this.children.splice(this.children.indexOf(node), 1);
    node.parent = undefined;
  }
}

class FakeNode {
  parent: FakeParent | undefined;
  constructor(readonly name: string) {}
  get nextSibling(): FakeNode | null {
    const siblings = this.parent!.children;
    return siblings[siblings.indexOf(this) + 1] ?? null;
  }
}

function patch(parent: FakeParent, desired: FakeNode[]): void {
  patchChildren(parent, desired);
}

describe('patchChildren', () => {
  it('patchChildren() - leaves the parent with exactly the desired children, whatever it held', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat({ max: 30 })), fc.uniqueArray(fc.nat({ max: 30 })), (before, after) => {
        const nodes = Array.from({ length: 31 }, (_, i) => new FakeNode(`n${i}`));
        const parent = new FakeParent();
        patch(parent, before.map((i) => nodes[i]!));
        patch(parent, after.map((i) => nodes[i]!));
        expect(parent.children.map((node) => node.name)).toEqual(after.map((i) => `n${i}`));
      }),
    );
  });

  it('patchChildren() - moves one node for one row inserted or removed, none for the same list', () => {
    const nodes = Array.from({ length: 130 }, (_, i) => new FakeNode(`n${i}`));
    const parent = new FakeParent();
    patch(parent, nodes.slice(0, 129));
    parent.operations = 0;
    patch(parent, nodes.slice(0, 129));
    expect(parent.operations).toBe(0);
    const inserted = [...nodes.slice(0, 40), nodes[129]!, ...nodes.slice(40, 128)];
    patch(parent, inserted);
    // The new node goes in, the one pushed out of the window comes out.
    expect(parent.operations).toBe(2);
  });
});
