// One point per vertex. flags: bit 0 selected, bit 1 hidden (isolate), bit 2 hovered.
attribute vec3 rgb;
attribute float flags;
attribute float pid;
uniform float size;
uniform float scale;
uniform bool perspective;
uniform bool hasSelection;
uniform vec3 background;
uniform bool thumbs;
uniform float thumbSize;
varying vec3 vColor;
varying float vId;

void main() {
  bool selected = mod(flags, 2.0) > 0.5;
  bool hidden = mod(floor(flags / 2.0), 2.0) > 0.5;
  bool hovered = flags >= 4.0;
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  // Hidden points are moved outside the clip volume: cheaper than rebuilding the buffers.
  gl_Position = hidden ? vec4(2.0, 2.0, 2.0, 1.0) : projectionMatrix * mv;
  float s = (thumbs ? thumbSize : size) * (selected ? 1.5 : 1.0) * (hovered ? 2.5 : 1.0);
  vId = pid;
  gl_PointSize = perspective ? max(1.0, s * scale / -mv.z) : s * scale / 3.2;
  // With a selection, the rest fade towards the background instead of going transparent, so
  // that no depth sorting is needed.
  vColor = (hasSelection && !selected && !hovered) ? mix(rgb, background, 0.6) : rgb;
}
