/**
 * Thumbnails from the host's atlas tiles: each tile (2048 px, 1,024 thumbnails) is fetched once,
 * on first need, and cells are copied out of it with `drawImage`. Loaded tiles are kept so the
 * gallery can draw synchronously while it scrolls.
 */
import type { AtlasLayout, DataSource } from "../host";

/** The thumbnails of a workspace. */
export class ThumbAtlas {
  private tiles = new Map<number, Promise<HTMLImageElement>>();
  private loaded = new Map<number, HTMLImageElement>();

  constructor(
    readonly layout: AtlasLayout,
    private data: Pick<DataSource, "thumbTileSrc">,
  ) {}

  /** Atlas tile `index`, loading it on first use. */
  tile(index: number): Promise<HTMLImageElement> {
    let tile = this.tiles.get(index);
    if (!tile) {
      const image = new Image();
      // decode() finishes decoding off the main thread, so the first drawImage of a 2048 px
      // tile does not stall a scrolling gallery.
      tile = this.data
        .thumbTileSrc(index)
        .then(async (src) => {
          image.src = src;
          try {
            await image.decode();
          } finally {
            URL.revokeObjectURL(src); // a widget's tiles are object URLs; once decoded they can go
          }
          this.loaded.set(index, image);
          return image;
        })
        .catch(() => {
          this.tiles.delete(index);
          throw new Error(`thumbnail tile ${index} failed to load`);
        });
      this.tiles.set(index, tile);
    }
    return tile;
  }

  /** Grey bytes of every tile, stacked, for the renderer's thumbnail mode. */
  async layers(): Promise<{ data: Uint8Array; side: number; tiles: number; perRow: number }> {
    const { n_tiles: tiles, tile_px: side, per_row: perRow } = this.layout;
    const data = new Uint8Array(tiles * side * side);
    const canvas = document.createElement("canvas");
    canvas.width = side;
    canvas.height = side;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new Error("no 2-D canvas");
    for (let t = 0; t < tiles; t++) {
      const image = await this.tile(t);
      ctx.clearRect(0, 0, side, side);
      ctx.drawImage(image, 0, 0);
      const rgba = ctx.getImageData(0, 0, side, side).data;
      const layer = data.subarray(t * side * side, (t + 1) * side * side);
      for (let k = 0; k < layer.length; k++) layer[k] = rgba[4 * k];
    }
    return { data, side, tiles, perRow };
  }

  /**
   * Draw point `id`'s thumbnail into `ctx` at (x, y), `size` px square, if its tile is loaded;
   * otherwise start loading it and return false (the caller redraws when `tile()` resolves).
   */
  drawNow(ctx: CanvasRenderingContext2D, id: number, x: number, y: number, size: number): boolean {
    const { per_tile, per_row, thumb } = this.layout;
    if (id < 0 || id >= this.layout.n_points) return true;
    const index = Math.floor(id / per_tile);
    const image = this.loaded.get(index);
    if (!image) {
      void this.tile(index).catch(() => undefined);
      return false;
    }
    const cell = id % per_tile;
    ctx.drawImage(image, (cell % per_row) * thumb, Math.floor(cell / per_row) * thumb, thumb, thumb, x, y, size, size);
    return true;
  }

  /** Draw point `id`'s thumbnail over the whole of `canvas`. */
  async draw(canvas: HTMLCanvasElement, id: number): Promise<void> {
    if (id < 0 || id >= this.layout.n_points) return;
    await this.tile(Math.floor(id / this.layout.per_tile));
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.imageSmoothingEnabled = false;
    this.drawNow(ctx, id, 0, 0, canvas.width);
  }

  /** A new canvas holding point `id`'s thumbnail. */
  canvas(id: number, size = 64): HTMLCanvasElement {
    const canvas = document.createElement("canvas");
    canvas.width = size;
    canvas.height = size;
    void this.draw(canvas, id).catch(() => undefined);
    return canvas;
  }

  /** The tile index holding point `id`. */
  tileOf(id: number): number {
    return Math.floor(id / this.layout.per_tile);
  }
}
