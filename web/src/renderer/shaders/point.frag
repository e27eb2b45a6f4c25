varying vec3 vColor;

void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  if (dot(d, d) > 0.25) discard;  // round dots
  gl_FragColor = vec4(vColor, 1.0);
}
