/**
 * The books demo: three live pages over one shared catalogue, showing navigation.
 *
 * - `/books?page=N`: the list, ten a page. `mount(ctx)` reads the page from the query, so the
 *   pagination links (`?page=2`) are live navigations on the same socket, and the "Next" button's
 *   action calls `ctx.patch(...)` (same page, new query, a history entry).
 * - `/book?id=N`: one book; links to it from the list are live navigations to another handler.
 *   An unknown id redirects from `mount` to the list with an error flash; "Delete" flashes and
 *   `ctx.navigate`s back to the list.
 * - `/books/new`: a form whose action flashes and `ctx.redirect`s to the new book (a 303
 *   without JavaScript).
 */
import { ValidationError } from "livetemplate";
import type { ActionContext, MountContext } from "livetemplate";

export interface Book {
  ID: number;
  Title: string;
  Author: string;
}

const SEED: ReadonlyArray<readonly [string, string]> = [
  ["Middlemarch", "George Eliot"], ["Moby-Dick", "Herman Melville"], ["Emma", "Jane Austen"],
  ["Bleak House", "Charles Dickens"], ["Dracula", "Bram Stoker"], ["Ulysses", "James Joyce"],
  ["Walden", "Henry David Thoreau"], ["Persuasion", "Jane Austen"], ["Kim", "Rudyard Kipling"],
  ["Beloved", "Toni Morrison"], ["Candide", "Voltaire"], ["Jane Eyre", "Charlotte Brontë"],
  ["Ivanhoe", "Walter Scott"], ["Nostromo", "Joseph Conrad"], ["Rebecca", "Daphne du Maurier"],
  ["Germinal", "Émile Zola"], ["Siddhartha", "Hermann Hesse"], ["Orlando", "Virginia Woolf"],
  ["Lolita", "Vladimir Nabokov"], ["Dune", "Frank Herbert"], ["Solaris", "Stanisław Lem"],
  ["Frankenstein", "Mary Shelley"], ["Don Quixote", "Miguel de Cervantes"],
];

/** Books shown per list page. */
export const PER_PAGE = 10;

/** The catalogue every visitor sees (in the process's memory). */
export class Library {
  private nextId = 1;
  readonly books: Book[] = [];

  constructor() {
    for (const [title, author] of SEED) this.add(title, author);
  }

  add(title: string, author: string): Book {
    const book = { ID: this.nextId++, Title: title, Author: author };
    this.books.push(book);
    return book;
  }

  find(id: number): Book | undefined {
    return this.books.find((b) => b.ID === id);
  }

  remove(id: number): void {
    const i = this.books.findIndex((b) => b.ID === id);
    if (i >= 0) this.books.splice(i, 1);
  }

  get pages(): number {
    return Math.max(1, Math.ceil(this.books.length / PER_PAGE));
  }
}

/** `/books`: one page of the list. */
export class BookList {
  Page = 1;
  Pages: number[] = [1];
  Items: Book[] = [];

  constructor(private readonly library: Library) {}

  mount(ctx: MountContext): void {
    const pages = this.library.pages;
    const page = Math.min(pages, Math.max(1, Number.parseInt(ctx.query["page"] ?? "1", 10) || 1));
    this.Page = page;
    this.Pages = Array.from({ length: pages }, (_, i) => i + 1);
    this.Items = this.library.books.slice((page - 1) * PER_PAGE, page * PER_PAGE).map((b) => ({ ...b }));
  }

  get HasNext(): boolean {
    return this.Page < this.Pages.length;
  }

  /** The "Next" button: the same page with the next query (`mount` runs again with it). */
  next(ctx: ActionContext): void {
    ctx.patch({ page: Math.min(this.Page + 1, this.Pages.length) });
  }
}

/** `/book?id=N`: one book. */
export class BookDetail {
  Book: Book = { ID: 0, Title: "", Author: "" };

  constructor(private readonly library: Library) {}

  mount(ctx: MountContext): void {
    const book = this.library.find(Number(ctx.query["id"]));
    if (book === undefined) {
      ctx.flash("error", "There is no such book.");
      ctx.redirect("/books");
      return;
    }
    this.Book = { ...book };
  }

  delete(ctx: ActionContext): void {
    this.library.remove(this.Book.ID);
    ctx.flash("info", `Deleted “${this.Book.Title}”.`);
    ctx.navigate("/books");
  }
}

/** `/books/new`: the form. */
export class NewBook {
  Title = "";
  Author = "";

  constructor(private readonly library: Library) {}

  add(ctx: ActionContext): void {
    const title = ctx.data.getString("title").trim();
    const author = ctx.data.getString("author").trim();
    this.Title = title;
    this.Author = author;
    if (title === "") throw new ValidationError("title", "A book needs a title");
    const book = this.library.add(title, author === "" ? "Anonymous" : author);
    this.Title = this.Author = "";
    ctx.flash("info", `Added “${book.Title}”.`);
    ctx.redirect(`/book?id=${book.ID}`);
  }
}
