/**
 * The WebGL2 scatter (three.js): one `THREE.Points` draw for every point, coloured per point,
 * with a perspective camera and orbit controls in 3-D and an orthographic pan/zoom camera in
 * 2-D. Exposes only `setProps`, `render` and `destroy`, plus the camera matrix used to select
 * by screen position.
 */
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import fragmentShader from "./shaders/point.frag?raw";
import vertexShader from "./shaders/point.vert?raw";

/** What the scatter draws; every field optional, so `setProps` changes only what it names. */
export interface ScatterProps {
  /** n x 3 normalised coordinates. */
  positions?: Float32Array;
  dims?: 2 | 3;
  /** n x 3 RGB bytes. */
  colors?: Uint8Array;
  /** 1 per selected point. */
  selected?: Uint8Array;
  /** 1 per point drawn (isolate); undefined draws all. */
  visible?: Uint8Array | null;
  hovered?: number;
  /** 1 per point passing the column filters; the others are drawn faded and small. Null: all. */
  passing?: Uint8Array | null;
  /** Points drawn ringed and larger (the inspected point's neighbours). */
  neighbors?: number[];
  /** Clear colour and the colour faded points tend to (CSS colour). */
  background?: string;
  /** Ring of highlighted points (CSS colour). */
  ring?: string;
  /** Whether mouse drags orbit/pan (false while drawing a box or lasso). */
  navigate?: boolean;
  pointSize?: number;
}

const BACKGROUND = new THREE.Color("#15171c");

/** Where a camera is: position, orbit target and zoom (the URL keeps these). */
export interface CameraState {
  position: number[];
  target: number[];
  zoom: number;
}

/** The WebGL2 scatter: `setProps`, `render`, `destroy`, and the camera for selection. */
export class ScatterRenderer {
  readonly canvas: HTMLCanvasElement;
  private renderer: THREE.WebGLRenderer;
  private scene = new THREE.Scene();
  private perspective: THREE.PerspectiveCamera;
  private ortho: THREE.OrthographicCamera;
  private controls3: OrbitControls;
  private controls2: OrbitControls;
  private geometry = new THREE.BufferGeometry();
  private material: THREE.ShaderMaterial;
  private points: THREE.Points;
  private n = 0;
  private dims: 2 | 3 = 3;
  private flags: Uint8Array = new Uint8Array(0);
  private selected: Uint8Array = new Uint8Array(0);
  private colors: Uint8Array | null = null;
  private visible: Uint8Array | null = null;
  private passing: Uint8Array | null = null;
  private neighbors: number[] = [];
  private hovered = -1;
  private frameRequested = false;
  /** Bumped whenever the camera moves, so cached screen positions know they are stale. */
  cameraVersion = 0;
  onCameraChange: (() => void) | null = null;
  private resizer: ResizeObserver;
  private destroyed = false;

  constructor(private container: HTMLElement) {
    this.renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.setClearColor(BACKGROUND);
    this.canvas = this.renderer.domElement;
    container.appendChild(this.canvas);

    this.perspective = new THREE.PerspectiveCamera(45, 1, 0.01, 100);
    this.ortho = new THREE.OrthographicCamera(-1, 1, 1, -1, -10, 10);
    this.controls3 = new OrbitControls(this.perspective, this.canvas);
    this.controls2 = new OrbitControls(this.ortho, this.canvas);
    this.controls2.enableRotate = false;
    this.controls2.screenSpacePanning = true;
    this.controls2.mouseButtons = { LEFT: THREE.MOUSE.PAN, MIDDLE: THREE.MOUSE.DOLLY, RIGHT: THREE.MOUSE.PAN };
    for (const controls of [this.controls3, this.controls2]) {
      controls.addEventListener("change", () => {
        this.cameraVersion++;
        this.onCameraChange?.();
        this.render();
      });
    }

    this.material = new THREE.ShaderMaterial({
      vertexShader,
      fragmentShader,
      uniforms: {
        size: { value: 6 },
        scale: { value: 300 },
        perspective: { value: true },
        hasSelection: { value: false },
        background: { value: new THREE.Vector3(BACKGROUND.r, BACKGROUND.g, BACKGROUND.b) },
        ringColor: { value: new THREE.Vector3(1, 1, 1) },
        thumbs: { value: false },
        thumbSize: { value: 28 },
        atlas: { value: null },
        perRow: { value: 32 },
        perTile: { value: 1024 },
      },
    });
    this.points = new THREE.Points(this.geometry, this.material);
    this.points.frustumCulled = false;
    this.scene.add(this.points);
    this.resetCamera();
    this.resize();
    this.resizer = new ResizeObserver(() => this.resize());
    this.resizer.observe(container);
  }

  get camera(): THREE.Camera {
    return this.dims === 3 ? this.perspective : this.ortho;
  }

  get controls(): OrbitControls {
    return this.dims === 3 ? this.controls3 : this.controls2;
  }

  /** Column-major view-projection matrix of the current camera. */
  viewProjection(): Float32Array {
    const camera = this.camera;
    camera.updateMatrixWorld();
    const m = new THREE.Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse);
    return new Float32Array(m.elements);
  }

  /** Size of the drawing area in CSS pixels. */
  size(): { width: number; height: number } {
    return { width: this.canvas.clientWidth, height: this.canvas.clientHeight };
  }

  /** The current camera: mode, position, target, zoom. */
  cameraState(): CameraState & { mode: "3d" | "2d" } {
    const c = this.camera;
    return {
      mode: this.dims === 3 ? "3d" : "2d",
      position: c.position.toArray(),
      target: this.controls.target.toArray(),
      zoom: (c as THREE.PerspectiveCamera | THREE.OrthographicCamera).zoom,
    };
  }

  /** Put the current camera where `state` says (a link's view). */
  setCameraState(state: CameraState): void {
    const c = this.camera as THREE.PerspectiveCamera | THREE.OrthographicCamera;
    if (state.position.length === 3 && state.position.every(Number.isFinite)) c.position.fromArray(state.position);
    if (state.target.length === 3 && state.target.every(Number.isFinite)) this.controls.target.fromArray(state.target);
    if (Number.isFinite(state.zoom) && state.zoom > 0) c.zoom = state.zoom;
    c.updateProjectionMatrix();
    this.controls.update();
    this.cameraVersion++;
    this.onCameraChange?.();
    this.render();
  }

  resetCamera(): void {
    this.perspective.position.set(0, 0, 3.2);
    this.perspective.up.set(0, 1, 0);
    this.controls3.target.set(0, 0, 0);
    this.ortho.position.set(0, 0, 5);
    this.ortho.zoom = 1;
    this.controls2.target.set(0, 0, 0);
    this.ortho.updateProjectionMatrix();
    this.controls3.update();
    this.controls2.update();
    this.cameraVersion++;
    this.render();
  }

  /** Turn the 3-D camera about the vertical axis by `angle` radians (benchmarks, demos). */
  rotate(angle: number): void {
    const p = this.perspective.position;
    const t = this.controls3.target;
    const x = p.x - t.x;
    const z = p.z - t.z;
    p.x = t.x + x * Math.cos(angle) - z * Math.sin(angle);
    p.z = t.z + x * Math.sin(angle) + z * Math.cos(angle);
    this.perspective.lookAt(t);
    this.cameraVersion++;
  }

  setProps(props: ScatterProps): void {
    if (props.positions) {
      const n = props.positions.length / 3;
      if (n !== this.n) {
        this.n = n;
        this.flags = new Uint8Array(n);
        this.geometry.setAttribute("rgb", new THREE.BufferAttribute(new Uint8Array(n * 3), 3, true));
        this.geometry.setAttribute("flags", new THREE.BufferAttribute(this.flags, 1));
        const ids = new Float32Array(n);
        for (let i = 0; i < n; i++) ids[i] = i;
        this.geometry.setAttribute("pid", new THREE.BufferAttribute(ids, 1));
        this.selected = new Uint8Array(n);
      }
      this.geometry.setAttribute("position", new THREE.BufferAttribute(props.positions, 3));
      this.geometry.computeBoundingSphere();
    }
    if (props.dims && props.dims !== this.dims) {
      this.dims = props.dims;
      this.material.uniforms.perspective.value = this.dims === 3;
      this.controls3.enabled = this.dims === 3;
      this.controls2.enabled = this.dims === 2;
      this.cameraVersion++;
    }
    if (props.colors) this.colors = props.colors;
    // Colours may arrive before or after the coordinates: apply them once both are here.
    const attribute = this.geometry.getAttribute("rgb") as THREE.BufferAttribute | undefined;
    if (attribute && this.colors && this.colors.length === this.n * 3 && (props.colors || props.positions)) {
      (attribute.array as Uint8Array).set(this.colors);
      attribute.needsUpdate = true;
    }
    let flagsChanged = false;
    if (props.selected) {
      this.selected = props.selected;
      flagsChanged = true;
    }
    if (props.visible !== undefined) {
      this.visible = props.visible;
      flagsChanged = true;
    }
    if (props.hovered !== undefined && props.hovered !== this.hovered) {
      this.hovered = props.hovered;
      flagsChanged = true;
    }
    if (props.passing !== undefined) {
      this.passing = props.passing;
      flagsChanged = true;
    }
    if (props.neighbors) {
      this.neighbors = props.neighbors;
      flagsChanged = true;
    }
    if (props.background) {
      const color = new THREE.Color(props.background);
      this.renderer.setClearColor(color);
      this.material.uniforms.background.value.set(color.r, color.g, color.b);
    }
    if (props.ring) {
      const color = new THREE.Color(props.ring);
      this.material.uniforms.ringColor.value.set(color.r, color.g, color.b);
    }
    if (flagsChanged) this.updateFlags();
    if (props.navigate !== undefined) {
      this.controls3.enabled = props.navigate && this.dims === 3;
      this.controls2.enabled = props.navigate && this.dims === 2;
    }
    if (props.pointSize) this.material.uniforms.size.value = props.pointSize;
    this.render();
  }

  /**
   * Draw points as thumbnails from `layers` (tiles x side x side grey bytes, each tile holding
   * perRow x perRow cells), or as dots again with null.
   */
  setThumbnails(layers: { data: Uint8Array; side: number; tiles: number; perRow: number } | null): void {
    const uniforms = this.material.uniforms;
    (uniforms.atlas.value as THREE.DataArrayTexture | null)?.dispose();
    if (!layers) {
      uniforms.thumbs.value = false;
      uniforms.atlas.value = null;
    } else {
      const texture = new THREE.DataArrayTexture(layers.data, layers.side, layers.side, layers.tiles);
      texture.format = THREE.RedFormat;
      texture.type = THREE.UnsignedByteType;
      texture.minFilter = THREE.LinearFilter;
      texture.magFilter = THREE.LinearFilter;
      texture.generateMipmaps = false;
      texture.needsUpdate = true;
      uniforms.atlas.value = texture;
      uniforms.perRow.value = layers.perRow;
      uniforms.perTile.value = layers.perRow * layers.perRow;
      uniforms.thumbs.value = true;
    }
    this.render();
  }

  private updateFlags(): void {
    if (this.selected.length !== this.n) return;
    let any = false;
    const { visible, passing, selected, flags } = this;
    for (let i = 0; i < this.n; i++) {
      const s = selected[i] ? 1 : 0;
      any ||= s === 1;
      flags[i] = s | (visible && !visible[i] ? 2 : 0) | (passing && !passing[i] ? 8 : 0);
    }
    if (this.hovered >= 0 && this.hovered < this.n) this.flags[this.hovered] |= 4;
    for (const id of this.neighbors) if (id >= 0 && id < this.n) this.flags[id] |= 16;
    this.material.uniforms.hasSelection.value = any;
    const attribute = this.geometry.getAttribute("flags");
    if (attribute) attribute.needsUpdate = true;
  }

  private resize(): void {
    const { clientWidth: w, clientHeight: h } = this.container;
    if (!w || !h) return;
    this.renderer.setSize(w, h, false);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    this.perspective.aspect = w / h;
    this.perspective.updateProjectionMatrix();
    const aspect = w / h;
    const half = 1.15;
    this.ortho.left = -half * Math.max(aspect, 1);
    this.ortho.right = half * Math.max(aspect, 1);
    this.ortho.top = half * Math.max(1 / aspect, 1);
    this.ortho.bottom = -half * Math.max(1 / aspect, 1);
    this.ortho.updateProjectionMatrix();
    // Point sizes are in CSS pixels at the default camera distance (3.2).
    this.material.uniforms.scale.value = this.renderer.getPixelRatio() * 3.2;
    this.cameraVersion++;
    this.render();
  }

  /** Draw at the next animation frame (several requests in one frame draw once). */
  render(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      if (!this.destroyed) this.drawNow();
    });
  }

  /** Draw synchronously (benchmarks time this). */
  drawNow(): void {
    this.renderer.render(this.scene, this.camera);
  }

  destroy(): void {
    this.destroyed = true;
    this.resizer.disconnect();
    this.controls3.dispose();
    this.controls2.dispose();
    this.geometry.dispose();
    this.material.dispose();
    this.renderer.dispose();
    // Browsers keep a few WebGL contexts per page: a notebook re-running a cell must free its own.
    this.renderer.forceContextLoss();
    this.canvas.remove();
  }
}
